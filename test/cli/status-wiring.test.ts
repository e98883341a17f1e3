// Without STATUS_ADDR or NOTIFY_URL nobody reads the snapshot: the loop's
// callbacks do nothing and the client is not wrapped.
import { expect, test } from "bun:test";
import { loadConfig } from "../../src/config/index.ts";
import type { ImmichApi } from "../../src/daemon/daemon.ts";
import { memoryLog } from "../../src/daemon/log.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { startStatus } from "../../src/cli/status-wiring.ts";

const client = { connect: async () => ({}), observe: async () => ({}), setPaused: async () => {} } as unknown as ImmichApi;

test("off unless asked for: no server, no notifier, the loop told nothing", async () => {
  const loaded = loadConfig({ API_KEY: "k" }, () => "");
  if (!loaded.ok) throw new Error("config");
  const w = startStatus(loaded.config, client, new VirtualClock(), memoryLog(), fetch);
  if ("problem" in w) throw new Error(w.problem);
  expect(w.server).toBeUndefined();
  expect(w.client).toBe(client);
  w.beat({ state: "ok", since: 0, failures: 0 }, 1_000);
  w.onCycle({ startedAt: 0, result: { ok: false, error: { kind: "unreachable", transient: true, message: "x" } }, health: { state: "degraded", since: 0, failures: 1 } });
  expect(w.recorder.current.counters.cycles).toBe(0);
  expect(w.recorder.current.health.state).toBe("starting");
  await w.stop();
});
