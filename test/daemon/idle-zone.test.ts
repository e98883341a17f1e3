// An idle daemon with no instruction from the owner never asks for the time
// zone: finding the system's zone (Intl) loads ICU's zone data, +5.3 MB
// resident in a compiled program (measured), which the idle binary carried
// for nothing since control came in (45.8 MB idle, 42.3 MB after). The zone
// is asked for once an instruction has to be worded. Against the simulator
// over HTTP, in virtual time.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { ControlKeeper } from "../../src/daemon/control-keeper.ts";
import { Daemon } from "../../src/daemon/daemon.ts";
import { memoryLog } from "../../src/daemon/log.ts";
import { memoryStateStore } from "../../src/daemon/state-file.ts";
import { createImmichClient } from "../../src/immich/index.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { type Simulator, startSimulator } from "../../src/simulator/server.ts";

const KEY = "idle-zone-daemon-key-01";
const clock = new VirtualClock(Date.UTC(2026, 11, 6, 12));
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ profile: "v3.1", clock, keys: [{ key: KEY, label: "daemon", admin: true, scopes: ["all"] }] });
});
afterAll(() => sim.stop());

test("no instruction: cycles never ask for the zone; a hold asks once, when it is worded", async () => {
  let asked = 0;
  const log = memoryLog();
  const store = memoryStateStore();
  const control = new ControlKeeper({ store, log, managed: DEFAULT_PRIORITY, configuredN: 1, zone: () => (asked++, "Europe/Berlin") });
  const client = createImmichClient({ baseUrl: sim.url, apiKey: KEY, fetch, clock, timeoutMs: 5_000 });
  const daemon = new Daemon({ client, clock, log, policy: { maxConcurrent: 1, priority: DEFAULT_PRIORITY, standby: true }, pollIntervalMs: 10_000, dryRun: false, onExit: "resume", store, random: () => 0.5, control });
  const signal = new AbortController().signal;
  await daemon.start(signal);
  for (let i = 0; i < 5; i++) {
    expect((await daemon.cycle(signal)).ok).toBe(true);
    clock.advance(10_000);
  }
  expect(asked).toBe(0);

  const r = control.apply({ kind: "hold", queue: "smartSearch", until: clock.now() + 3_600_000 }, { at: clock.now(), by: "127.0.0.1", channel: "api" });
  expect(r.ok).toBe(true);
  await daemon.cycle(signal);
  await daemon.cycle(signal);
  expect(asked).toBe(1);
  expect(log.lines.some((l) => l.msg.includes("until") && l.msg.includes("smartSearch"))).toBe(true);
});
