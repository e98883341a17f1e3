// Replays the session recorded from a real Immich v3.1.0 server
// (test/fixtures/immich/recorded-v3.1.0/transcript.md) against the engine, with
// durations calibrated on that server, and checks the same behaviour shows:
// queues at their concurrency under load, a pause that drains `active` by
// itself within about a second while `paused` grows as upstream work
// completes, uploads during the pause piling up under `paused`, a resume
// that starts at once, and a restart that resumes only metadataExtraction.
import { expect, test } from "bun:test";
import { RECORDED_V3_1_DURATIONS, RECORDED_V3_1_VIDEO_DURATIONS } from "../../src/simulator/pipeline.ts";
import { sim } from "./engine-fixtures.ts";

const recorded = () =>
  sim({ seed: 2026, durations: { ...RECORDED_V3_1_DURATIONS }, videoDurations: { ...RECORDED_V3_1_VIDEO_DURATIONS } });

test("load, legacy pause of thumbnails, more uploads while paused, resume", () => {
  const s = recorded();
  const { engine } = s;
  // §5: 50 images and 3 videos uploaded in a burst of about 3.5 s.
  for (let i = 0; i < 53; i++) {
    engine.schedule(engine.now() + i * 65, () => engine.upload(i % 18 === 9 ? { videos: 1 } : { photos: 1 }));
  }
  let metadataAtConcurrency = false;
  let thumbnailsAtConcurrency = false;
  for (let t = 0; t <= 4_000; t += 100) {
    s.at(t);
    const m = s.counts("metadataExtraction");
    const th = s.counts("thumbnailGeneration");
    expect(m.active).toBeLessThanOrEqual(5);
    expect(th.active).toBeLessThanOrEqual(3);
    metadataAtConcurrency ||= m.active === 5 && m.waiting > 0;
    thumbnailsAtConcurrency ||= th.active === 3 && th.waiting > 0;
  }
  expect(metadataAtConcurrency).toBe(true);
  expect(thumbnailsAtConcurrency).toBe(true);
  const ml = ["smartSearch", "faceDetection", "ocr"].filter((q) => s.counts(q).active > 0);
  expect(ml.length).toBeGreaterThan(0);

  // §6: legacy pause while thumbnails run 3 with work waiting.
  const before = s.counts("thumbnailGeneration");
  expect(before.active).toBe(3);
  const paused = engine.setPaused("thumbnailGeneration", true, "legacy");
  expect(paused.counts).toMatchObject({ active: 3, waiting: 0, paused: before.waiting });
  // `active` drains by itself within about a second; `paused` only grows, as
  // metadata and storage-template jobs still running complete upstream.
  let last = paused.counts;
  for (let t = 4_100; t <= 12_000; t += 100) {
    const c = s.at(t) && s.counts("thumbnailGeneration");
    expect(c.active).toBeLessThanOrEqual(last.active);
    expect(c.paused).toBeGreaterThanOrEqual(last.paused);
    expect(c.waiting).toBe(0);
    if (t >= 4_000 + 1_100) expect(c.active).toBe(0);
    last = c;
  }
  expect(last.paused).toBeGreaterThan(paused.counts.paused);
  expect(s.counts("metadataExtraction")).toMatchObject({ active: 0, waiting: 0 });

  // New-style pause of an already paused queue: a silent no-op.
  expect(engine.setPaused("thumbnailGeneration", true, "queues").counts).toEqual(last);

  // §7: 21 more images while paused: they all end up under `paused`.
  s.at(13_000).upload({ photos: 21 });
  s.at(23_000);
  expect(s.counts("thumbnailGeneration")).toMatchObject({ active: 0, waiting: 0, paused: last.paused + 21 });
  const pendingThumbs = last.paused + 21;

  // §8: pause metadataExtraction, pause thumbnails again (idempotent), resume thumbnails.
  engine.setPaused("metadataExtraction", true, "queues");
  engine.setPaused("thumbnailGeneration", true, "legacy");
  const resumeAt = engine.now();
  const resumed = engine.setPaused("thumbnailGeneration", false, "queues");
  expect(resumed.counts).toMatchObject({ active: 3, waiting: pendingThumbs - 3, paused: 0 });
  s.at(24_000);
  expect(s.counts("thumbnailGeneration").active).toBe(3);
  s.at(33_000);
  expect(s.counts("thumbnailGeneration")).toMatchObject({ active: 0, waiting: 0 });
  engine.setPaused("metadataExtraction", false, "legacy");
  s.drain(1_000, 120_000);

  const changes = engine.recording().pauseChanges.map((c) => `${c.queue} ${c.paused} ${c.actor}`);
  expect(changes).toEqual([
    "thumbnailGeneration true legacy",
    "metadataExtraction true queues",
    "thumbnailGeneration false queues",
    "metadataExtraction false legacy",
  ]);
  // Every upload got its thumbnail, the ones from §7 only after the resume.
  const uploads = engine.recording().uploads;
  expect(uploads).toHaveLength(74);
  expect(uploads.slice(53).every((u) => u.thumbnailAt! > resumeAt)).toBe(true);
});

test("§11: pauses survive a restart, except metadataExtraction's", () => {
  const s = recorded();
  for (const q of ["thumbnailGeneration", "metadataExtraction", "smartSearch"]) s.engine.setPaused(q, true, "queues");
  s.at(10_000).restart();
  const pausedNow = s.engine.list().filter((q) => q.isPaused).map((q) => q.name);
  expect(pausedNow).toEqual(["thumbnailGeneration", "smartSearch"]);
  expect(s.engine.recording().pauseChanges.at(-1)).toMatchObject({ queue: "metadataExtraction", paused: false, actor: "restart" });
});
