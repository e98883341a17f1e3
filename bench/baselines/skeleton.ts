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
import { runSkeleton } from "./skeleton-common.ts";

// Beside the daemon's HEALTH_FILE (the benchmark's temporary directory).
const heartbeat = join(dirname(process.env.HEALTH_FILE ?? "/tmp/x"), `skeleton-${process.pid}.json`);
writeFileSync(`${heartbeat}.tmp`, `${JSON.stringify({ pid: process.pid, host: hostname() })}\n`);
renameSync(`${heartbeat}.tmp`, heartbeat);

await runSkeleton({
  host: hostname(),
  write: (line) => writeSync(2, Buffer.from(line)),
  afterLook: () => {
    const now = Date.now() / 1000;
    utimesSync(heartbeat, now, now);
  },
  onStop: () => rmSync(heartbeat, { force: true }),
});
