// Rule 12 end to end: the daemon against the simulator over real HTTP, in
// virtual time, at the default POLL_INTERVAL=10. Hand-overs from one queue to
// the next happen at job speed (sub-second), not at the next poll, and an
// idle server costs one GET per POLL_INTERVAL and nothing else.
import { afterEach, describe, expect, test } from "bun:test";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import type { Recording } from "../../src/simulator/engine-types.ts";
import { maxActiveQueues, timesToThumbnail } from "../../src/simulator/sim-summary.ts";
import { type Harness, type HarnessOptions, startHarness } from "../helpers/harness.ts";

const MINUTE = 60_000;
let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** Runs until every upload is done, in steps; returns the simulated ms it took. */
async function runUntilDone(hh: Harness, limitMs: number, stepMs = 5_000) {
  for (let t = 0; t < limitMs; t += stepMs) {
    await hh.advance(stepMs);
    const rec = hh.sim.engine.recording();
    if (rec.uploads.length > 0 && rec.uploads.every((u) => u.doneAt !== undefined)) return t + stepMs;
  }
  return limitMs;
}

/**
 * At N = 1 every gap between one managed queue's activity and the next,
 * from the first start to the last end, is a hand-over with the slot idle
 * (the pipeline creates the next queue's jobs as the previous ones finish).
 */
function handoverGaps(rec: Recording): number[] {
  const managed = new Set<string>(DEFAULT_PRIORITY);
  const spans = rec.activeIntervals.filter((i) => managed.has(i.queue)).sort((a, b) => a.from - b.from);
  const gaps: number[] = [];
  let end = -Infinity;
  for (const s of spans) {
    if (s.from > end && end > -Infinity) gaps.push(s.from - end);
    end = Math.max(end, s.to ?? Infinity);
  }
  return gaps;
}

const IMPORT: HarnessOptions = { maxConcurrent: 1, pollMs: 10_000, seed: 5 };

describe("rule 12 at POLL_INTERVAL=10, against the simulator over HTTP", () => {
  test("a 60-photo import: hand-overs after the first take under a second, against ~half a poll at a fixed pace", async () => {
    h = await startHarness({ ...IMPORT, minPollMs: 1_000, standby: true });
    h.sim.engine.upload({ photos: 60, videos: 3 });
    await runUntilDone(h, 2 * 60 * MINUTE);
    const rec = h.sim.engine.recording();
    const fast = handoverGaps(rec);
    expect(maxActiveQueues(rec, DEFAULT_PRIORITY)).toBe(1);
    // The same drain rates give the ETAs: measured for the queues that ran, logged while there was work.
    expect(h.daemon.drainRates().thumbnailGeneration).toBeGreaterThan(0);
    expect(h.log.lines.filter((l) => l.msg.startsWith("work left: ")).length).toBeGreaterThanOrEqual(1);
    await h.stop();
    h = undefined;

    h = await startHarness({ ...IMPORT });
    h.sim.engine.upload({ photos: 60, videos: 3 });
    await runUntilDone(h, 2 * 60 * MINUTE);
    const fixed = handoverGaps(h.sim.engine.recording());

    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`hand-over gaps (ms): adaptive ${fast.map(Math.round).join(", ")}; fixed pace ${fixed.map(Math.round).join(", ")}`);
    expect(fast.length).toBeGreaterThanOrEqual(3);
    // The first hand-over may wait for the idle poll (the upload started at once, in standby).
    for (const g of fast.slice(1)) expect(g).toBeLessThan(1_000);
    expect(mean(fast)).toBeLessThan(1_500);
    expect(mean(fixed)).toBeGreaterThan(2_000);
  });

  test("5 photos on an idle server: the upload starts at once (standby), thumbnails within seconds", async () => {
    h = await startHarness({ ...IMPORT, minPollMs: 1_000, standby: true });
    await h.advance(37_000); // idle for a while: the daemon is between two polls
    expect(h.sim.engine.get("metadataExtraction")!.isPaused).toBe(false);
    h.sim.engine.upload({ photos: 5 });
    await runUntilDone(h, 10 * MINUTE, 1_000);
    const rec = h.sim.engine.recording();
    const firstStart = Math.min(...rec.activeIntervals.filter((i) => i.queue === "metadataExtraction").map((i) => i.from));
    expect(firstStart - rec.uploads[0]!.arrivedAt).toBe(0);
    const thumbs = timesToThumbnail(rec);
    console.log(`5 photos: time to thumbnail (ms) ${thumbs.map(Math.round).join(", ")}`);
    expect(Math.max(...thumbs)).toBeLessThan(20_000);
  });

  test("idle: exactly one GET per POLL_INTERVAL and no PUT", async () => {
    h = await startHarness({ ...IMPORT, minPollMs: 1_000, standby: true });
    h.sim.engine.upload({ photos: 5 });
    await runUntilDone(h, 10 * MINUTE, 1_000);
    await h.advance(2 * MINUTE); // the last hand-over's looks are over
    const before = { ...h.requestsBy };
    await h.advance(10 * MINUTE);
    expect(h.requestsBy.GET - before.GET).toBe(60);
    expect(h.requestsBy.PUT - before.PUT).toBe(0);
    // The standby queue stands unpaused for the next upload; the rest is paused.
    expect(h.sim.engine.get("metadataExtraction")!.isPaused).toBe(false);
    expect(h.sim.engine.get("thumbnailGeneration")!.isPaused).toBe(true);
  });
});
