// An idle-cost baseline (bench/idle-cost.ts): the runtime facilities the
// daemon uses while idle, and none of its logic. consola writing one start
// line through a writeSync reporter, signal handlers, the environment read,
// node:os and node:path, a timeout on each request (AbortController and a
// cleared setTimeout), a regular expression over each answer, and a
// heartbeat file written atomically (writeFileSync + renameSync) then
// touched (utimesSync) after every look, as src/daemon/heartbeat.ts does.
// Compiled with the daemon's own build flags in the same benchmark run: the
// daemon's figures minus this one are what its own code costs.
import { renameSync, rmSync, utimesSync, writeFileSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { createConsola } from "consola/core";

const pollMs = Number(process.env.POLL_INTERVAL ?? 10) * 1000;
const url = `${process.env.IMMICH_URL}/api/queues`;
const headers = { "x-api-key": process.env.API_KEY ?? "" };
// Beside the daemon's HEALTH_FILE (the benchmark's temporary directory).
const heartbeat = join(dirname(process.env.HEALTH_FILE ?? "/tmp/x"), `skeleton-${process.pid}.json`);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    rmSync(heartbeat, { force: true });
    process.exit(0);
  });
}

const log = createConsola({
  reporters: [{ log: (o) => writeSync(2, Buffer.from(`${new Date(o.date).toISOString()} ${o.type.toUpperCase()} ${o.args.join(" ")}\n`)) }],
});
const variables = Object.keys(process.env).filter((k) => /^[A-Z][A-Z0-9_]*$/.test(k)).length;
log.info(`skeleton on ${hostname()}: ${variables} variables, polling every ${pollMs / 1000} s`);
writeFileSync(`${heartbeat}.tmp`, `${JSON.stringify({ pid: process.pid, host: hostname() })}\n`);
renameSync(`${heartbeat}.tmp`, heartbeat);

for (;;) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10_000);
  try {
    const text = await (await fetch(url, { headers, signal: abort.signal })).text();
    if (/"__proto__"\s*:/.test(text)) throw new Error("a forbidden key");
    JSON.parse(text);
    const now = Date.now() / 1000;
    utimesSync(heartbeat, now, now);
  } catch (e) {
    log.warn(e instanceof Error ? e.message : String(e));
  } finally {
    clearTimeout(timer);
  }
  await Bun.sleep(pollMs);
}
