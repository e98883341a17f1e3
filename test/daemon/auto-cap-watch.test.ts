// The pressure watch between two polls (src/daemon/auto-cap-watch.ts, rule 15):
// a watch takes the meter's reading, so the step's own covers only the time
// since; the step takes the highest of both, so a stretch above ¾ of the
// target between two polls still stops a raise. The AutoCapper with the
// daemon's own local meter reading PSI file text, the simulator's engine
// answering the system config, a decision from the real decide(), virtual time.
import { describe, expect, test } from "bun:test";
import { decide } from "../../src/core/decide.ts";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { emptyOwnership } from "../../src/core/types.ts";
import { AutoCapper } from "../../src/daemon/auto-cap-loop.ts";
import { WATCH_MS } from "../../src/daemon/auto-cap-watch.ts";
import { memoryLog } from "../../src/daemon/log.ts";
import { localMeter } from "../../src/daemon/pressure.ts";
import { memoryStateStore } from "../../src/daemon/state-file.ts";
import type { ImmichApi } from "../../src/daemon/immich-api.ts";
import type { SystemConfig } from "../../src/core/concurrency-config.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { createEngine } from "../../src/simulator/engine.ts";
import { PROFILES } from "../../src/simulator/profiles.ts";
import { createSystemConfig } from "../../src/simulator/system-config.ts";
import { obs } from "../helpers/observations.ts";

/** 70 s with thumbnailGeneration lowered to 1 and running, metadataExtraction standing by; per second the cpu share `at(second)`; a step every 10 s, a watch every other second. */
async function run(at: (second: number) => number) {
  const clock = new VirtualClock(Date.UTC(2026, 10, 28, 12));
  const engine = createEngine(clock, { queues: PROFILES["v3.1"].queues, seed: 1 });
  engine.setConcurrency("thumbnailGeneration", 1);
  const config = createSystemConfig(PROFILES["v3.1"], engine);
  const client = {
    getSystemConfig: async () => config.get() as SystemConfig,
    putSystemConfig: async (body: SystemConfig) => config.update(structuredClone(body)) as SystemConfig,
  } as unknown as ImmichApi;
  const store = memoryStateStore();
  store.saveTuning!({ baseline: { thumbnailGeneration: 3 }, expected: { thumbnailGeneration: 1 } });
  let total = 0; // µs
  const psi = () => `some avg10=0.00 avg60=0.00 avg300=0.00 total=${total}\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n`;
  const log = memoryLog();
  const capper = new AutoCapper({
    settings: { range: { min: 1, max: 4 }, target: { cpu: 40 }, tune: true },
    auto: true,
    meter: localMeter("/pressure", ["cpu"], psi, () => clock.now()),
    client,
    log,
    store,
    clock,
    managed: DEFAULT_PRIORITY,
    dryRun: false,
  });
  await capper.check();
  const observation = obs({ thumbnailGeneration: { active: 1, pending: 200 } });
  const decision = decide({ observation, policy: { maxConcurrent: 2, priority: DEFAULT_PRIORITY, standby: true }, ownership: { ...emptyOwnership(), runningByUs: ["thumbnailGeneration"] } });
  const latest = { observation, decision };
  expect(decision.standby).toEqual(["metadataExtraction"]);
  await capper.step(latest); // the first reading
  let watched = 0;
  for (let s = 1; s <= 70; s++) {
    total += at(s) * 10_000; // a share of one second, in µs
    clock.set(clock.now() + 1_000);
    if (s % 10 === 0) await capper.step(latest);
    else if (capper.watching(latest) === WATCH_MS) {
      watched++;
      await capper.watch(latest);
    }
  }
  return { raises: log.lines.map((l) => l.msg).filter((m) => /concurrency 1 → 2/.test(m)), watched };
}

describe("the pressure watch between two polls", () => {
  test("under ¾ of the target at every reading: the lowered queue that runs gets one back after the settle time", async () => {
    const r = await run(() => 10);
    expect(r.watched).toBeGreaterThan(0);
    expect(r.raises).toEqual([expect.stringMatching(/^thumbnailGeneration concurrency 1 → 2: cpu some 10 % has stayed under 30 %/)]);
  });

  test("35 % between the polls and 10 % in the second before each: no raise (the step takes the watch's highest reading)", async () => {
    const r = await run((s) => (s % 10 === 0 ? 10 : 35));
    expect(r.watched).toBeGreaterThan(0);
    expect(r.raises).toEqual([]);
  });
});
