// The machine-learning gate end to end (DESIGN.md §2 rule 13): the daemon
// with ML_URL pointed at the simulator's ML service, over HTTP in virtual
// time. While the service is off, the ML queues are not started and running
// ones are paused gracefully, so their jobs wait instead of failing.
import { afterEach, expect, test } from "bun:test";
import { DEFAULT_PRIORITY, ML_QUEUES } from "../../src/core/queues.ts";
import { createMlProbe } from "../../src/daemon/ml-probe.ts";
import type { Simulator } from "../../src/simulator/server.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";

const MINUTE = 60_000;
let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const gate = (sim: Simulator) => ({ managed: DEFAULT_PRIORITY, ml: { urls: [sim.ml!.url], probe: createMlProbe([sim.ml!.url], fetch) } });
const failed = (hh: Harness) => Object.values(hh.sim.engine.recording().failedJobs).reduce((a, b) => a + b, 0);
const messages = (hh: Harness) => hh.log.lines.map((l) => l.msg);

test("the ML box off when uploads arrive: no ML job fails; once it is back, everything is done", async () => {
  h = await startHarness({ maxConcurrent: 2, mlPort: 0, gates: gate });
  h.sim.ml!.setUp(false);
  await h.advance(10_000);
  h.sim.engine.upload({ photos: 40 });
  await h.advance(20 * MINUTE);
  let rec = h.sim.engine.recording();
  expect(rec.uploads.every((u) => u.thumbnailAt !== undefined)).toBe(true);
  expect(failed(h)).toBe(0);
  const waiting = h.sim.engine.list().filter((q) => ML_QUEUES.includes(q.name));
  expect(waiting.every((q) => q.isPaused)).toBe(true);
  expect(waiting.reduce((n, q) => n + q.counts.paused, 0)).toBeGreaterThan(0);
  expect(h.daemon.gates?.ml).toMatchObject({ up: false, urls: [h.sim.ml!.url] });

  h.sim.ml!.setUp(true);
  await h.advance(30 * MINUTE);
  rec = h.sim.engine.recording();
  expect(rec.uploads.every((u) => u.doneAt !== undefined)).toBe(true);
  expect(failed(h)).toBe(0);
  const m = messages(h);
  expect(m.filter((x) => x.startsWith("the machine-learning service does not answer at"))).toHaveLength(1);
  expect(m.filter((x) => x.startsWith("the machine-learning service answers again at"))).toHaveLength(1);
  expect(m.find((x) => x.startsWith("the machine-learning service does not answer"))).toContain("holding back smartSearch, duplicateDetection, faceDetection, facialRecognition, ocr");
}, 30_000);

test("the same without the gate: Immich fails the ML jobs and drops them", async () => {
  h = await startHarness({ maxConcurrent: 2, mlPort: 0 });
  h.sim.ml!.setUp(false);
  h.sim.engine.upload({ photos: 40 });
  await h.advance(20 * MINUTE);
  h.sim.ml!.setUp(true);
  await h.advance(30 * MINUTE);
  const rec = h.sim.engine.recording();
  expect(rec.failedJobs.smartSearch).toBe(40);
  expect(rec.failedJobs.faceDetection).toBe(40);
  expect(rec.uploads.filter((u) => u.doneAt !== undefined)).toHaveLength(0);
}, 30_000);

test("the box goes away while ML queues run: they are paused at the next look; only what started before it fails", async () => {
  const pollMs = 10_000;
  h = await startHarness({ maxConcurrent: 2, mlPort: 0, gates: gate, pollMs });
  h.sim.engine.addExisting({ photos: 3_000, queues: ["smartSearch"] });
  await h.advance(5 * MINUTE);
  expect(h.sim.engine.get("smartSearch")!.isPaused).toBe(false);
  const offAt = h.clock.now();
  h.sim.ml!.setUp(false);
  await h.advance(10 * MINUTE);
  const rec = h.sim.engine.recording();
  const paused = rec.pauseChanges.find((c) => c.queue === "smartSearch" && c.paused && c.at >= offAt);
  expect(paused?.actor).toBe("daemon");
  expect(paused!.at - offAt).toBeLessThanOrEqual(pollMs);
  // Failing jobs take 100 ms each, two at a time, until the daemon's next look.
  expect(rec.failedJobs.smartSearch).toBeLessThanOrEqual(2 * (pollMs / 100) + 2);
  const failedThen = rec.failedJobs.smartSearch!;
  await h.advance(10 * MINUTE);
  expect(h.sim.engine.recording().failedJobs.smartSearch).toBe(failedThen);
  expect(h.sim.engine.get("smartSearch")!.counts.paused).toBeGreaterThan(2_000);
}, 30_000);
