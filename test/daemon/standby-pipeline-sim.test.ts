// Rule 12's standby follows the upload pipeline (issue 19 item 7): on an idle
// server with N >= 2 the standby queues are the stages a new upload passes
// through, so new photos get their thumbnails about as fast as with no daemon
// at all. With the storage template off (Immich's default) its queue's jobs
// are skipped at once and it passes through without a slot
// (core/pass-through.ts): the stages are metadataExtraction then
// thumbnailGeneration. With the template on, storageTemplateMigration is a
// stage of its own (the thumbnail is chained off its job): three stages, so
// at N=2 the thumbnails wait for the daemon's first look after the upload.
// Against the simulator over HTTP, in virtual time, at the default POLL_INTERVAL=10.
import { afterEach, describe, expect, test } from "bun:test";
import { VirtualClock } from "../../src/shared/clock.ts";
import { createEngine } from "../../src/simulator/engine.ts";
import { PROFILES } from "../../src/simulator/profiles.ts";
import { maxActiveQueues, timesToThumbnail } from "../../src/simulator/sim-summary.ts";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const SEED = 5;

/** Times to thumbnail of 5 photos uploaded to an idle server with no daemon. */
function alone(): number[] {
  const clock = new VirtualClock(Date.UTC(2026, 10, 28, 12));
  const engine = createEngine(clock, { queues: PROFILES["v3.1"].queues, seed: SEED });
  clock.set(clock.now() + 37_000);
  engine.upload({ photos: 5 });
  for (let i = 0; i < 10_000 && !(engine.isIdle() && engine.nextEventAt() === undefined); i++) clock.set(Math.max(clock.now() + 1, engine.nextEventAt() ?? clock.now() + 1));
  return timesToThumbnail(engine.recording());
}

/**
 * Runs 5 photos through an idle server with the daemon at N, uploaded `idleMs` after start (the daemon polls at 0, 10, 20, ... s); the times to thumbnail.
 * `template`: the server's storage template on (a stage of its own) or off (Immich's default: it passes through).
 */
async function withDaemon(n: number, idleMs = 37_000, template: "on" | "off" = "on"): Promise<{ standby: string[] | undefined; thumbs: number[]; maxQueues: number }> {
  h = await startHarness({ maxConcurrent: n, pollMs: 10_000, minPollMs: 1_000, standby: true, seed: SEED, passThrough: true, before: (sim) => sim.engine.setStorageTemplate(template === "on") });
  await h.advance(idleMs); // idle for a while: the daemon is between two polls
  const standby = h.daemon.latest?.decision.standby;
  h.sim.engine.upload({ photos: 5 });
  for (let t = 0; t < 120_000; t += 250) {
    await h.advance(250);
    if (h.sim.engine.recording().uploads.every((u) => u.thumbnailAt !== undefined)) break;
  }
  const thumbs = timesToThumbnail(h.sim.engine.recording());
  const maxQueues = maxActiveQueues(h.sim.engine.recording(), DEFAULT_PRIORITY);
  await h.stop();
  h = undefined;
  return { standby, thumbs, maxQueues };
}

describe("standby follows the upload pipeline (storage template on: three stages)", () => {
  test("idle with N=2: the first two stages stand by; 5 new photos get their thumbnails within 1.5x the time with no daemon", async () => {
    const r = await withDaemon(2);
    const without = alone();
    console.log(`5 photos, N=2: time to thumbnail (ms) with the daemon ${r.thumbs.map(Math.round).join(", ")}; alone ${without.map(Math.round).join(", ")}`);
    expect(r.standby).toEqual(["metadataExtraction", "storageTemplateMigration"]);
    expect(r.thumbs).toHaveLength(5);
    // Measured 6.8 s against 4.6 s alone (7.8 s before, with sidecar standing by second).
    expect(Math.max(...r.thumbs)).toBeLessThanOrEqual(1.5 * Math.max(...without));
  });

  test("idle with N=3: the three stages stand by, and thumbnails come within half a second of the time with no daemon", async () => {
    const r = await withDaemon(3);
    const without = alone();
    console.log(`5 photos, N=3: time to thumbnail (ms) with the daemon ${r.thumbs.map(Math.round).join(", ")}; alone ${without.map(Math.round).join(", ")}`);
    expect(r.standby).toEqual(["metadataExtraction", "storageTemplateMigration", "thumbnailGeneration"]);
    expect(Math.max(...r.thumbs)).toBeLessThanOrEqual(Math.max(...without) + 500);
  });

  // Issue 19 item 7's figure, at every phase of the upload against the daemon's polls. With
  // N=3 the three stages stand by and nothing waits for a look: 5.0 s against 4.6 s alone,
  // whenever the photos arrive. With N=2 the thumbnails wait for the first look after the
  // upload (rule 1: metadataExtraction, storageTemplateMigration and thumbnailGeneration
  // would be three slot-occupying queues; thumbnails are chained off the storage-template
  // job), and when that look comes depends on the phase: measured 5.2 s (upload 0.5 s
  // before a poll: the look sees the stages at work and hands over at job speed) to 13.3 s
  // (9.5 s before). Never later than that look plus 1.2x the time alone.
  const phases = [30_500, 34_000, 37_000, 39_500];
  test("N=3: within 1.2x the time with no daemon at every phase of the upload against the polls", async () => {
    const without = Math.max(...alone());
    const got: number[] = [];
    for (const at of phases) got.push(Math.max(...(await withDaemon(3, at)).thumbs));
    console.log(`5 photos, N=3, uploaded ${phases.map((p) => `${(40_000 - p) / 1000} s`).join(", ")} before a poll: last thumbnail ${got.map((g) => `${(g / 1000).toFixed(1)} s`).join(", ")}; alone ${(without / 1000).toFixed(1)} s`);
    for (const g of got) expect(g).toBeLessThanOrEqual(1.2 * without);
  });

  test("N=2: never later than the first look after the upload plus 1.2x the time alone; within 1.2x when that look sees the stages at work", async () => {
    const without = Math.max(...alone());
    const got: number[] = [];
    for (const at of phases) got.push(Math.max(...(await withDaemon(2, at)).thumbs));
    console.log(`5 photos, N=2, uploaded ${phases.map((p) => `${(40_000 - p) / 1000} s`).join(", ")} before a poll: last thumbnail ${got.map((g) => `${(g / 1000).toFixed(1)} s`).join(", ")}; alone ${(without / 1000).toFixed(1)} s`);
    phases.forEach((at, i) => expect(got[i]!).toBeLessThanOrEqual(40_000 - at + 1.2 * without));
    expect(got.at(-1)!).toBeLessThanOrEqual(1.2 * without);
  });
});

describe("standby follows the upload pipeline (storage template off, Immich's default: it passes through)", () => {
  // Issue 19 item 7 at N=2: the two stages that do work stand by, storageTemplateMigration
  // passes the uploads on without a slot, and no look is needed between upload and thumbnail.
  const phases = [30_500, 34_000, 37_000, 39_500];
  test("idle with N=2: metadataExtraction and thumbnailGeneration stand by; within 1.2x the time with no daemon at every phase of the upload against the polls, never over the cap", async () => {
    const without = Math.max(...alone());
    const got: number[] = [];
    for (const at of phases) {
      const r = await withDaemon(2, at, "off");
      expect(r.standby).toEqual(["metadataExtraction", "thumbnailGeneration"]);
      // Queues doing work at once, skipped storage-template jobs aside (sim-summary.ts).
      expect(r.maxQueues).toBeLessThanOrEqual(2);
      got.push(Math.max(...r.thumbs));
    }
    console.log(`5 photos, N=2, storage template off, uploaded ${phases.map((p) => `${(40_000 - p) / 1000} s`).join(", ")} before a poll: last thumbnail ${got.map((g) => `${(g / 1000).toFixed(1)} s`).join(", ")}; alone ${(without / 1000).toFixed(1)} s`);
    for (const g of got) expect(g).toBeLessThanOrEqual(1.2 * without);
  });

  test("N=1: the storage-template hand-off takes no turn of its own", async () => {
    const on = Math.max(...(await withDaemon(1, 37_000, "on")).thumbs);
    const off = await withDaemon(1, 37_000, "off");
    console.log(`5 photos, N=1: last thumbnail ${(Math.max(...off.thumbs) / 1000).toFixed(1)} s with the template off, ${(on / 1000).toFixed(1)} s with it on`);
    expect(off.maxQueues).toBeLessThanOrEqual(1);
    expect(Math.max(...off.thumbs)).toBeLessThan(on);
  });
});
