// The upload pipeline of API.md §4 in the engine: order of steps, hand-
// computed timings, starvation behind a paused upstream queue, profiles
// without some queues, external-library imports, existing-asset backlogs.
import { describe, expect, test } from "bun:test";
import { exact, sim, T0 } from "./engine-fixtures.ts";

describe("pipeline timing (no jitter)", () => {
  test("a photo: metadata → storage template → thumbnail → ML; done when the slowest branch is", () => {
    const s = sim(exact);
    s.engine.upload({ photos: 1 });
    s.at(3_699);
    expect(s.counts("thumbnailGeneration").active).toBe(1);
    s.at(3_700);
    expect(s.counts("thumbnailGeneration").active).toBe(0);
    for (const q of ["smartSearch", "faceDetection", "ocr"]) expect(s.counts(q).active).toBe(1);
    expect(s.counts("videoConversion").active).toBe(0);
    s.drain();
    const [u] = s.engine.recording().uploads;
    // ocr (4 s) is the slowest branch: 3.7 + 4; smartSearch+duplicates 3.3, faces+recognition 3.5.
    expect(u).toMatchObject({ kind: "photo", source: "upload", arrivedAt: T0, thumbnailAt: T0 + 3_700, doneAt: T0 + 7_700 });
  });

  test("a video: slower metadata and thumbnail, then a transcode", () => {
    const s = sim(exact);
    s.at(1_000).upload({ videos: 1 });
    s.drain();
    const [u] = s.engine.recording().uploads;
    expect(u!.thumbnailAt! - u!.arrivedAt).toBe(3_000 + 200 + 6_000);
    expect(u!.doneAt! - u!.arrivedAt).toBe(9_200 + 60_000);
    expect(s.engine.recording().completedJobs.videoConversion).toBe(1);
  });

  test("photos never reach videoConversion", () => {
    const s = sim();
    s.engine.upload({ photos: 25 });
    s.drain();
    const rec = s.engine.recording();
    expect(rec.completedJobs.videoConversion).toBe(0);
    expect(rec.completedJobs.ocr).toBe(25);
  });

  test("a profile without ocr skips it (v1.137)", () => {
    const s = sim({ ...exact, profile: "v1.137" });
    s.engine.upload({ photos: 1 });
    s.drain();
    expect(s.engine.recording().uploads[0]!.doneAt).toBe(T0 + 3_700 + 3_500);
  });

  test("external-library files enter at library → sidecar → metadata", () => {
    const s = sim(exact);
    s.engine.upload({ photos: 1, source: "library" });
    expect(s.counts("library").active).toBe(1);
    s.at(500);
    expect(s.counts("sidecar").active).toBe(1);
    s.at(1_000);
    expect(s.counts("metadataExtraction").active).toBe(1);
    s.drain();
    const [u] = s.engine.recording().uploads;
    expect(u).toMatchObject({ source: "library", thumbnailAt: T0 + 1_000 + 3_700, doneAt: T0 + 1_000 + 7_700 });
  });
});

describe("order and starvation", () => {
  test("no step finishes for more assets than the step before it", () => {
    const s = sim({ seed: 3 });
    s.engine.upload({ photos: 40, videos: 3 });
    const chains = [
      ["metadataExtraction", "storageTemplateMigration", "thumbnailGeneration", "smartSearch", "duplicateDetection"],
      ["thumbnailGeneration", "faceDetection", "facialRecognition"],
      ["thumbnailGeneration", "ocr"],
      ["thumbnailGeneration", "videoConversion"],
    ];
    for (let t = 0; !s.engine.isIdle(); t += 1_000) {
      const done = s.at(t).recording().completedJobs;
      for (const chain of chains) {
        for (let i = 1; i < chain.length; i++) expect(done[chain[i]!]!).toBeLessThanOrEqual(done[chain[i - 1]!]!);
      }
    }
    for (const u of s.engine.recording().uploads) {
      // Even at the fastest jitter (0.6 × mean) a thumbnail needs its metadata and storage steps first.
      const fastest = 0.6 * (u.kind === "video" ? 3_000 + 200 + 6_000 : 1_500 + 200 + 2_000);
      expect(u.thumbnailAt! - u.arrivedAt).toBeGreaterThanOrEqual(fastest - 3);
      expect(u.doneAt!).toBeGreaterThan(u.thumbnailAt!);
    }
  });

  test("a paused storageTemplateMigration starves thumbnails and everything after them", () => {
    const s = sim();
    s.engine.setPaused("storageTemplateMigration", true, "daemon");
    s.engine.upload({ photos: 10 });
    s.at(3_600_000);
    expect(s.counts("metadataExtraction")).toMatchObject({ active: 0, waiting: 0 });
    expect(s.counts("storageTemplateMigration")).toMatchObject({ active: 0, waiting: 0, paused: 10 });
    for (const q of ["thumbnailGeneration", "smartSearch", "faceDetection", "ocr"]) {
      expect(s.counts(q)).toMatchObject({ active: 0, waiting: 0, paused: 0 });
    }
    expect(s.engine.recording().uploads.every((u) => u.thumbnailAt === undefined)).toBe(true);
    s.engine.setPaused("storageTemplateMigration", false, "daemon");
    s.drain();
    const rec = s.engine.recording();
    expect(rec.uploads.every((u) => u.thumbnailAt! > T0 + 3_600_000)).toBe(true);
  });

  test("uploads to a paused metadataExtraction wait there, counted as paused", () => {
    const s = sim();
    s.engine.setPaused("metadataExtraction", true, "daemon");
    s.engine.upload({ photos: 7, videos: 2 });
    s.at(60_000);
    expect(s.counts("metadataExtraction")).toMatchObject({ active: 0, waiting: 0, paused: 9 });
    expect(s.engine.isIdle()).toBe(false);
  });
});

describe("existing assets", () => {
  test("a backlog of ML jobs for existing assets chains to duplicates and recognition, unrecorded", () => {
    const s = sim(exact);
    s.engine.addExisting({ photos: 10, queues: ["smartSearch", "faceDetection"] });
    expect(s.counts("smartSearch")).toMatchObject({ active: 2, waiting: 8 });
    expect(s.counts("faceDetection")).toMatchObject({ active: 2, waiting: 8 });
    s.drain();
    const rec = s.engine.recording();
    expect(rec.uploads).toEqual([]);
    expect(rec.completedJobs).toMatchObject({ smartSearch: 10, duplicateDetection: 10, faceDetection: 10, facialRecognition: 10, thumbnailGeneration: 0, ocr: 0 });
    expect(s.engine.assetCount()).toBe(10);
  });
});
