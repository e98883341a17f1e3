// Rule 12's standby follows the upload pipeline (issue 19 item 7): on an idle
// server with N >= 2 the standby queues are the stages a new upload passes
// through, metadataExtraction, storageTemplateMigration (the thumbnail is
// chained off its job) then thumbnailGeneration, so new photos get their
// thumbnails about as fast as with no daemon at all. Against the
// simulator over HTTP, in virtual time, at the default POLL_INTERVAL=10.
import { afterEach, describe, expect, test } from "bun:test";
import { VirtualClock } from "../../src/shared/clock.ts";
import { createEngine } from "../../src/simulator/engine.ts";
import { PROFILES } from "../../src/simulator/profiles.ts";
import { timesToThumbnail } from "../../src/simulator/sim-summary.ts";
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

/** Runs 5 photos through an idle server with the daemon at N; the times to thumbnail. */
async function withDaemon(n: number): Promise<{ standby: string[] | undefined; thumbs: number[] }> {
  h = await startHarness({ maxConcurrent: n, pollMs: 10_000, minPollMs: 1_000, standby: true, seed: SEED });
  await h.advance(37_000); // idle for a while: the daemon is between two polls
  const standby = h.daemon.latest?.decision.standby;
  h.sim.engine.upload({ photos: 5 });
  for (let t = 0; t < 120_000; t += 250) {
    await h.advance(250);
    if (h.sim.engine.recording().uploads.every((u) => u.thumbnailAt !== undefined)) break;
  }
  const thumbs = timesToThumbnail(h.sim.engine.recording());
  await h.stop();
  h = undefined;
  return { standby, thumbs };
}

describe("standby follows the upload pipeline", () => {
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
});
