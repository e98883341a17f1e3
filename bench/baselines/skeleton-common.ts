// What the two skeleton baselines share (skeleton.ts with node:fs,
// skeleton-bun-io.ts with Bun.write): signal handlers, consola writing one
// start line, the environment read, and the poll: a timeout on each request
// (AbortController and a cleared setTimeout), a regular expression over the
// answer, the answer parsed, then the program's own heartbeat step. Only how
// they write (log lines, the heartbeat) differs between them.
import { createConsola } from "consola/core";

export const pollMs = Number(process.env.POLL_INTERVAL ?? 10) * 1000;

export interface SkeletonIO {
  /** Where the start line says it runs. */
  host: string;
  /** Writes one log line to stderr. */
  write(line: string): unknown;
  /** After every look that got an answer. */
  afterLook(): unknown;
  /** On SIGINT, SIGTERM or SIGHUP, before exiting. */
  onStop(): unknown;
}

export async function runSkeleton(io: SkeletonIO): Promise<never> {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, async () => {
      await io.onStop();
      process.exit(0);
    });
  }
  const log = createConsola({
    reporters: [{ log: (o) => io.write(`${new Date(o.date).toISOString()} ${o.type.toUpperCase()} ${o.args.join(" ")}\n`) }],
  });
  const variables = Object.keys(process.env).filter((k) => /^[A-Z][A-Z0-9_]*$/.test(k)).length;
  log.info(`skeleton on ${io.host}: ${variables} variables, polling every ${pollMs / 1000} s`);

  const url = `${process.env.IMMICH_URL}/api/queues`;
  const headers = { "x-api-key": process.env.API_KEY ?? "" };
  for (;;) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 10_000);
    try {
      const text = await (await fetch(url, { headers, signal: abort.signal })).text();
      if (/"__proto__"\s*:/.test(text)) throw new Error("a forbidden key");
      JSON.parse(text);
      await io.afterLook();
    } catch (e) {
      log.warn(e instanceof Error ? e.message : String(e));
    } finally {
      clearTimeout(timer);
    }
    await Bun.sleep(pollMs);
  }
}
