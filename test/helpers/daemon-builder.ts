// A Daemon as most tests want it: N = 1 over the default priority, a 10 s
// poll, resume on exit, no jitter, a memory state store, the real Immich
// client against `url`. Anything else is passed as an override.
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { Daemon, type DaemonOptions } from "../../src/daemon/daemon.ts";
import { memoryStateStore } from "../../src/daemon/state-file.ts";
import { createImmichClient } from "../../src/immich/index.ts";
import type { Clock } from "../../src/shared/clock.ts";

export function testDaemon(o: { url: string; apiKey: string; clock: Clock; log: DaemonOptions["log"]; timeoutMs?: number } & Partial<DaemonOptions>): Daemon {
  const { url, apiKey, timeoutMs, ...overrides } = o;
  return new Daemon({
    client: createImmichClient({ baseUrl: url, apiKey, fetch, clock: o.clock, timeoutMs: timeoutMs ?? 30_000 }),
    policy: { maxConcurrent: 1, priority: DEFAULT_PRIORITY },
    pollIntervalMs: 10_000,
    dryRun: false,
    onExit: "resume",
    store: memoryStateStore(),
    random: () => 0.5,
    ...overrides,
  });
}
