// An idle-cost baseline (bench/idle-cost.ts): skeleton.ts with Bun's own
// I/O in place of node:fs, node:os and node:path: log lines and the
// heartbeat written with Bun.write (asynchronous; the heartbeat rewritten in
// place after every look: neither atomic nor a mere touch, as Bun has no
// rename or utimes of its own). What the daemon would weigh if it gave up
// node's synchronous file calls, which loading node:fs costs.
import { createConsola } from "consola/core";

const pollMs = Number(process.env.POLL_INTERVAL ?? 10) * 1000;
const url = `${process.env.IMMICH_URL}/api/queues`;
const headers = { "x-api-key": process.env.API_KEY ?? "" };
// Beside the daemon's HEALTH_FILE (the benchmark's temporary directory).
const heartbeat = `${process.env.HEALTH_FILE ?? "/tmp/health.json"}.skeleton-bun-io-${process.pid}`;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, async () => {
    await Bun.file(heartbeat).delete().catch(() => {});
    process.exit(0);
  });
}

const log = createConsola({
  reporters: [{ log: (o) => void Bun.write(Bun.stderr, `${new Date(o.date).toISOString()} ${o.type.toUpperCase()} ${o.args.join(" ")}\n`) }],
});
const variables = Object.keys(process.env).filter((k) => /^[A-Z][A-Z0-9_]*$/.test(k)).length;
log.info(`skeleton on ${process.env.HOSTNAME ?? "this host"}: ${variables} variables, polling every ${pollMs / 1000} s`);

for (;;) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10_000);
  try {
    const text = await (await fetch(url, { headers, signal: abort.signal })).text();
    if (/"__proto__"\s*:/.test(text)) throw new Error("a forbidden key");
    JSON.parse(text);
    await Bun.write(heartbeat, `${JSON.stringify({ pid: process.pid, at: Date.now() })}\n`);
  } catch (e) {
    log.warn(e instanceof Error ? e.message : String(e));
  } finally {
    clearTimeout(timer);
  }
  await Bun.sleep(pollMs);
}
