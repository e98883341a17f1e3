// The drain-rate estimator (src/core/eta.ts) on recorded count sequences:
// steady draining, a burst of uploads, a restart that re-queues jobs, a pause,
// a Redis loss, and the ETA built from it.
import { describe, expect, test } from "bun:test";
import { estimate, formatDuration, formatEta, formatOverall, updateDrain, type DrainState } from "../../src/core/eta.ts";
import type { Observation } from "../../src/core/types.ts";
import { obs } from "../helpers/observations.ts";

const Q = "smartSearch";
type Step = [atSeconds: number, active: number, pending: number, isPaused?: boolean];

/** Feeds the recorded counts of one queue to the estimator, look by look. */
function replay(steps: Step[]): { state: DrainState; last: Observation } {
  let state: DrainState = {};
  let last!: Observation;
  for (const [at, active, pending, isPaused = false] of steps) {
    last = obs({ [Q]: { active, pending, isPaused } }, at * 1000);
    state = updateDrain(state, last, [Q]);
  }
  return { state, last };
}
const rate = (steps: Step[]) => replay(steps).state[Q]!.rate;

/** 2 jobs a second, looked at every 10 s from 1,000 pending. */
const steady = (from = 0, n = 10, startPending = 1_000): Step[] =>
  Array.from({ length: n }, (_, i) => [from + i * 10, 2, startPending - i * 20] as Step);

describe("drain rate", () => {
  test("steady draining: the rate it drains at", () => {
    expect(rate(steady())).toBeCloseTo(2, 5);
  });

  test("unknown before two looks of it running", () => {
    expect(rate([[0, 2, 1_000]])).toBeUndefined();
    expect(rate([[0, 0, 1_000, true], [10, 0, 1_000, true]])).toBeUndefined();
  });

  test("a burst of uploads (the count rises) is skipped, not read as a stall", () => {
    const steps = [...steady(), [100, 2, 5_000], [110, 2, 4_980], [120, 2, 4_960]] as Step[];
    expect(rate(steps)).toBeCloseTo(2, 5);
  });

  test("a restart that re-queues active jobs (count unchanged, then a rise) barely moves it", () => {
    const steps = [...steady(), [100, 0, 822], [110, 0, 830], [120, 2, 810], [130, 2, 790]] as Step[];
    const r = rate(steps)!;
    expect(r).toBeGreaterThan(1.7);
    expect(r).toBeLessThan(2.1);
  });

  test("a pause: the time it stood paused does not count", () => {
    const paused: Step[] = [[100, 0, 820, true], [400, 0, 820, true], [700, 0, 820, true]];
    const steps = [...steady(), ...paused, [710, 2, 800], [720, 2, 780]] as Step[];
    expect(rate(steps)).toBeCloseTo(2, 5);
  });

  test("a Redis loss or a person emptying the queue (a huge fall) is clipped, not taken as speed", () => {
    const steps = [...steady(), [100, 2, 10]] as Step[];
    expect(rate(steps)!).toBeLessThan(3); // unclipped, the 808-job fall would read as ~13 a second
  });

  test("a queue that runs dry between two looks: a lower bound only while nothing better is known", () => {
    expect(rate([[0, 2, 8], [10, 0, 0]])).toBeCloseTo(1, 5);
    expect(rate([...steady(), [100, 0, 0]])).toBeCloseTo(2, 5);
  });

  test("a slow queue's first looks see nothing finish: its rate is not pinned at zero", () => {
    // Looked at every second; each job takes 4 s.
    const steps: Step[] = Array.from({ length: 40 }, (_, i) => [i, 1, 62 - Math.floor(i / 4)] as Step);
    expect(rate(steps)).toBeCloseTo(0.25, 1);
  });

  test("it follows a real change of speed within a few minutes", () => {
    const slower: Step[] = Array.from({ length: 40 }, (_, i) => [100 + i * 10, 2, 800 - i * 5] as Step);
    expect(rate([...steady(), ...slower])).toBeLessThan(0.7);
  });
});

describe("ETA", () => {
  test("per queue: jobs left over the rate; overall: the sum over N, at least the longest", () => {
    const { state } = replay(steady());
    const o = obs({ [Q]: { active: 2, pending: 818 }, faceDetection: { isPaused: true, pending: 50 } }, 100_000);
    const eta = estimate(state, o, ["thumbnailGeneration", Q, "faceDetection"], 1);
    expect(eta.queues.map((q) => [q.name, q.jobs])).toEqual([[Q, 820], ["faceDetection", 50]]);
    expect(eta.queues[0]!.ms).toBeCloseTo(410_000, -2);
    // faceDetection has not run yet: its prior (0.4 s a job) stands in, marked as an estimate.
    expect(eta.queues[1]).toMatchObject({ ms: 20_000, ratePerSecond: null, estimated: true });
    expect(eta.overallMs).toBeCloseTo(430_000, -2);
    expect(eta.unknown).toEqual([]);
    expect(eta.estimated).toEqual(["faceDetection"]);
    expect(formatEta(eta)).toBe(
      "smartSearch 820 jobs ~6 min 50 s, faceDetection 50 jobs ~20 s (estimate: rate not measured yet); all ~7 min 10 s (estimate)",
    );
  });

  test("a queue with no measured rate and no prior: no countdown, and the overall figure says it is a lower bound", () => {
    const { state } = replay(steady());
    const o = obs({ [Q]: { active: 2, pending: 818 }, someNewQueue: { isPaused: true, pending: 50 } }, 100_000);
    const eta = estimate(state, o, [Q, "someNewQueue"], 1);
    expect(eta.queues[1]!.ms).toBeNull();
    expect(eta.unknown).toEqual(["someNewQueue"]);
    expect(formatEta(eta)).toBe("smartSearch 820 jobs ~6 min 50 s, someNewQueue 50 jobs (rate not measured yet); all more than ~6 min 50 s");
  });

  test("the real server's case: 88 jobs waiting in unmeasured queues never make the headline 'all done in ~6 s'", () => {
    // metadataExtraction measured and nearly done; 88 photos wait for thumbnails and CLIP, never run yet.
    const steps: Observation[] = [0, 2, 4].map((s, i) =>
      obs({ metadataExtraction: { active: 5, pending: 200 - i * 100 }, thumbnailGeneration: { isPaused: true, pending: 88 }, smartSearch: { isPaused: true, pending: 88 } }, s * 1000),
    );
    let state: DrainState = {};
    for (const o of steps) state = updateDrain(state, o, ["metadataExtraction", "thumbnailGeneration", "smartSearch"]);
    const eta = estimate(state, steps[2]!, ["metadataExtraction", "thumbnailGeneration", "smartSearch"], 1);
    expect(eta.estimated).toEqual(["thumbnailGeneration", "smartSearch"]);
    // 88 × 0.115 s + 88 × 0.25 s after the last 5 metadata jobs: half a minute, not the 0.1 s metadataExtraction alone would say.
    expect(eta.overallMs!).toBeGreaterThan(30_000);
    expect(formatOverall(eta)).toBe("~32 s (estimate)");
  });

  test("a measured rate replaces the prior as soon as the queue has run between two looks", () => {
    const o1 = obs({ thumbnailGeneration: { active: 3, pending: 100 } }, 0);
    const o2 = obs({ thumbnailGeneration: { active: 3, pending: 90 } }, 10_000);
    let state = updateDrain({}, o1, ["thumbnailGeneration"]);
    expect(estimate(state, o1, ["thumbnailGeneration"], 1).queues[0]!.estimated).toBe(true);
    state = updateDrain(state, o2, ["thumbnailGeneration"]);
    const q = estimate(state, o2, ["thumbnailGeneration"], 1).queues[0]!;
    expect(q.estimated).toBeUndefined();
    expect(q.ratePerSecond).toBeCloseTo(1, 5);
  });

  test("queue names that are Object.prototype's properties are data, not keys", () => {
    const o = obs({ constructor: { active: 1, pending: 3 }, toString: { isPaused: true, pending: 2 } }, 0);
    const state = updateDrain({}, o, ["constructor", "toString"]);
    const eta = estimate(state, o, ["constructor", "toString"], 1);
    expect(eta.unknown).toEqual(["constructor", "toString"]);
    expect(formatOverall(eta)).toBe("unknown");
  });

  test("nothing to do: no queue, no overall figure", () => {
    const eta = estimate({}, obs({}), [Q], 1);
    expect(eta).toEqual({ queues: [], overallMs: null, unknown: [], estimated: [], waiting: [] });
  });

  test("a queue a closed window or the ML gate keeps back gets no countdown and is left out of the overall figure", () => {
    const state: DrainState = {
      smartSearch: { at: 0, total: 0, active: 0, isPaused: false, rate: 2, samples: 5 },
      ocr: { at: 0, total: 0, active: 0, isPaused: false, rate: 1, samples: 5 },
    };
    const o: Observation = {
      at: 0,
      api: "queues",
      queues: [
        { name: "smartSearch", isPaused: false, active: 2, waiting: 818, paused: 0, delayed: 0, completed: 0, failed: 0 },
        { name: "ocr", isPaused: true, active: 0, waiting: 0, paused: 600, delayed: 0, completed: 0, failed: 0 },
      ],
    };
    const closed = { ocr: [{ code: "window-closed" as const, pause: true, detail: "outside its window 22:00-06:00 (UTC); it opens Fri 22:00" }] };
    const eta = estimate(state, o, ["smartSearch", "ocr"], 1, closed);
    expect(eta.queues[1]).toEqual({ name: "ocr", jobs: 600, ratePerSecond: 1, ms: null, waits: "outside its window 22:00-06:00 (UTC); it opens Fri 22:00" });
    expect(eta.overallMs).toBe(410_000); // smartSearch alone: 820 jobs at 2/s
    expect(eta.unknown).toEqual([]);
    expect(eta.waiting).toEqual(["ocr"]);
    expect(formatEta(eta)).toBe("smartSearch 820 jobs ~6 min 50 s, ocr 600 jobs (waits: outside its window 22:00-06:00 (UTC); it opens Fri 22:00); all ~6 min 50 s");
    // Pressure only keeps new work from starting for a while: the countdown stays.
    const pressure = { ocr: [{ code: "pressure" as const, pause: false, detail: "the host is under pressure" }] };
    expect(estimate(state, o, ["smartSearch", "ocr"], 1, pressure).queues[1]!.ms).toBe(600_000);
  });

  test.each([
    [400, "< 1 s"],
    [45_000, "45 s"],
    [200_000, "3 min 20 s"],
    [7_500_000, "2 h 5 min"],
    [3 * 86_400_000, "3 days"],
  ])("formatDuration(%d) = %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});
