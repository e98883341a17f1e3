// The engine's recording and the summaries computed from it: determinism
// per seed, a hand-computed time-to-thumbnail case, activity intervals, and
// the helpers in sim-summary.ts on hand-made recordings.
import { describe, expect, test } from "bun:test";
import type { Recording } from "../../src/simulator/engine-types.ts";
import { applyScenario } from "../../src/simulator/scenarios.ts";
import {
  activeTime,
  lastActivityEnd,
  latency,
  maxActiveQueues,
  pauseChangesBy,
  percentile,
  timeOverCap,
  timesToDone,
  timesToThumbnail,
} from "../../src/simulator/sim-summary.ts";
import { exact, sim, T0 } from "./engine-fixtures.ts";

function scriptedRun(seed: number): Recording {
  const s = sim({ seed });
  applyScenario(s.engine, "import", { scale: 0.05 });
  s.at(30_000).setPaused("thumbnailGeneration", true, "daemon");
  s.at(90_000).setPaused("thumbnailGeneration", false, "daemon");
  s.at(120_000).restart();
  s.drain(5_000);
  return s.engine.recording();
}

describe("determinism", () => {
  test("the same seed gives the identical recording", () => {
    expect(scriptedRun(11)).toEqual(scriptedRun(11));
  });

  test("another seed gives another recording", () => {
    const a = scriptedRun(11);
    const b = scriptedRun(12);
    expect(b.uploads.length).toBe(a.uploads.length);
    expect(timesToThumbnail(b)).not.toEqual(timesToThumbnail(a));
  });
});

describe("time to thumbnail", () => {
  test("hand-computed with queueing: 4 photos at once, exact durations", () => {
    // Metadata (5 slots) ends all four at 1.5 s. The storage template (1 slot,
    // 0.2 s) releases them at 1.7, 1.9, 2.1, 2.3 s. Thumbnails (3 slots, 2 s)
    // start three at once on arrival; the fourth waits for the first slot at
    // 3.7 s and finishes at 5.7 s.
    const s = sim(exact);
    s.engine.upload({ photos: 4 });
    s.drain();
    const rec = s.engine.recording();
    expect(timesToThumbnail(rec)).toEqual([3_700, 3_900, 4_100, 5_700]);
    expect(latency(timesToThumbnail(rec))).toEqual({ count: 4, p50: 3_900, p95: 5_700, max: 5_700 });
    // Thumbnails ran without a gap from 1.7 s to 5.7 s: one interval, not four.
    expect(rec.activeIntervals.filter((i) => i.queue === "thumbnailGeneration")).toEqual([
      { queue: "thumbnailGeneration", from: T0 + 1_700, to: T0 + 5_700 },
    ]);
    expect(timesToDone(rec)).toHaveLength(4);
  });

  test("uploads without a thumbnail yet are left out, and the record shows them pending", () => {
    const s = sim(exact);
    s.engine.upload({ photos: 2 });
    s.at(2_000);
    const rec = s.engine.recording();
    expect(timesToThumbnail(rec)).toEqual([]);
    expect(rec.uploads.map((u) => u.thumbnailAt)).toEqual([undefined, undefined]);
    expect(latency([])).toEqual({ count: 0, p50: undefined, p95: undefined, max: undefined });
  });
});

describe("recording", () => {
  test("intervals, pause changes with actors, samples of the active set", () => {
    const s = sim(exact);
    s.engine.enqueue("smartSearch", 1, { durationMs: 1_000 });
    s.at(500).enqueue("ocr", 1, { durationMs: 1_000 });
    s.at(600).setPaused("ocr", true, "daemon");
    s.at(2_000).setPaused("ocr", false, "person");
    const rec = s.engine.recording();
    expect(rec.activeIntervals).toEqual([
      { queue: "smartSearch", from: T0, to: T0 + 1_000 },
      { queue: "ocr", from: T0 + 500, to: T0 + 1_500 },
    ]);
    expect(rec.samples).toEqual([
      { at: T0, activeQueues: ["smartSearch"] },
      { at: T0 + 500, activeQueues: ["smartSearch", "ocr"] },
      { at: T0 + 1_000, activeQueues: ["ocr"] },
      { at: T0 + 1_500, activeQueues: [] },
    ]);
    expect(pauseChangesBy(rec, "person")).toEqual([{ at: T0 + 2_000, queue: "ocr", paused: false, actor: "person" }]);
    expect(rec).toMatchObject({ startedAt: T0, now: T0 + 2_000 });
  });

  test("samples agree with a sweep over the intervals, through pauses, restarts and a Redis loss", () => {
    const s = sim({ seed: 21 });
    applyScenario(s.engine, "import", { scale: 0.03 });
    s.at(20_000).setPaused("metadataExtraction", true, "daemon");
    s.at(50_000).restart();
    s.at(80_000).setPaused("thumbnailGeneration", true, "daemon");
    s.at(90_000).redisLoss();
    s.engine.upload({ photos: 10, videos: 1 });
    s.drain(5_000);
    const rec = s.engine.recording();
    expect(rec.samples.length).toBeGreaterThan(50);
    expect(rec.samples).toEqual(sweepSamples(rec, s.engine.queueNames));
  });

  test("a snapshot is a copy: changing it leaves the engine's record alone", () => {
    const s = sim();
    s.engine.upload({ photos: 1 });
    const rec = s.engine.recording();
    rec.uploads[0]!.arrivedAt = 0;
    rec.pauseChanges.push({ at: 0, queue: "x", paused: true, actor: "x" });
    expect(s.engine.recording().uploads[0]!.arrivedAt).toBe(T0);
    expect(s.engine.recording().pauseChanges).toEqual([]);
  });
});

describe("summary helpers", () => {
  const rec: Recording = {
    startedAt: 0,
    now: 100,
    pauseChanges: [],
    concurrencyChanges: [],
    uploads: [],
    samples: [],
    completedJobs: {},
    failedJobs: {},
    peakActive: {},
    activeIntervals: [
      { queue: "a", from: 0, to: 50 },
      { queue: "b", from: 10, to: 30 },
      { queue: "c", from: 20, to: 40 },
      // A hand-over at 50 (a ends, a starts again) is not an overlap.
      { queue: "a", from: 50, to: 60 },
      { queue: "d", from: 90 }, // still open at `now`
    ],
  };

  test("maxActiveQueues, overall and among a set", () => {
    expect(maxActiveQueues(rec)).toBe(3);
    expect(maxActiveQueues(rec, ["a", "b"])).toBe(2);
    expect(maxActiveQueues(rec, ["d"])).toBe(1);
    expect(maxActiveQueues(rec, ["nothing"])).toBe(0);
  });

  test("timeOverCap counts only the stretches above the cap", () => {
    expect(timeOverCap(rec, 2)).toBe(10); // 20..30: a, b, c
    expect(timeOverCap(rec, 1)).toBe(30); // 10..40
    expect(timeOverCap(rec, 1, ["a", "c"])).toBe(20); // 20..40
    expect(timeOverCap(rec, 0, ["a"])).toBe(60);
  });

  test("activeTime sums intervals, open ones up to now", () => {
    expect(activeTime(rec)).toEqual({ a: 60, b: 20, c: 20, d: 10 });
  });

  test("lastActivityEnd: the latest end, an open stretch ending at now, `from` when nothing ran", () => {
    expect(lastActivityEnd(rec, 0)).toBe(100);
    expect(lastActivityEnd({ ...rec, activeIntervals: rec.activeIntervals.slice(0, 4) }, 0)).toBe(60);
    expect(lastActivityEnd({ ...rec, activeIntervals: [] }, 42)).toBe(42);
  });

  test("percentile is nearest-rank", () => {
    const v = [5, 1, 4, 2, 3];
    expect([percentile(v, 0), percentile(v, 20), percentile(v, 50), percentile(v, 95), percentile(v, 100)]).toEqual([
      1, 1, 3, 5, 5,
    ]);
    expect(percentile([], 50)).toBeUndefined();
  });
});

/** Reference model: the active set after each instant at which an interval starts or ends. */
function sweepSamples(rec: Recording, order: readonly string[]): Recording["samples"] {
  const times = [...new Set(rec.activeIntervals.flatMap((i) => (i.to === undefined ? [i.from] : [i.from, i.to])))].sort(
    (a, b) => a - b,
  );
  const out: Recording["samples"] = [];
  for (const at of times) {
    const active = rec.activeIntervals.filter((i) => i.from <= at && (i.to === undefined || i.to > at)).map((i) => i.queue);
    const activeQueues = order.filter((q) => active.includes(q));
    const prev = out.at(-1)?.activeQueues ?? [];
    if (prev.join() !== activeQueues.join()) out.push({ at, activeQueues });
  }
  return out;
}
