// An idle-cost baseline (bench/idle-cost.ts): skeleton.ts with Bun's own
// I/O in place of node:fs, node:os and node:path: log lines and the
// heartbeat written with Bun.write (asynchronous; the heartbeat rewritten in
// place after every look: neither atomic nor a mere touch, as Bun has no
// rename or utimes of its own). What the daemon would weigh if it gave up
// node's synchronous file calls, which loading node:fs costs.
import { runSkeleton } from "./skeleton-common.ts";

// Beside the daemon's HEALTH_FILE (the benchmark's temporary directory).
const heartbeat = `${process.env.HEALTH_FILE ?? "/tmp/health.json"}.skeleton-bun-io-${process.pid}`;

await runSkeleton({
  host: process.env.HOSTNAME ?? "this host",
  write: (line) => void Bun.write(Bun.stderr, line),
  afterLook: () => Bun.write(heartbeat, `${JSON.stringify({ pid: process.pid, at: Date.now() })}\n`),
  onStop: () => Bun.file(heartbeat).delete().catch(() => {}),
});
