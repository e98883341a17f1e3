// Named scenarios: each produces the load its name promises, deterministically,
// and the full-size import runs to completion in well under a second of CPU.
import { describe, expect, test } from "bun:test";
import {
  applyScenario,
  BACKLOG_ASSETS,
  IMPORT_PHOTOS,
  IMPORT_VIDEOS,
  isScenarioName,
  nextMidnightUtc,
  SCENARIO_NAMES,
  SCENARIO_SUMMARIES,
  UnknownScenarioError,
} from "../../src/simulator/scenarios.ts";
import { DEFAULT_CONCURRENCY } from "../../src/simulator/profiles.ts";
import { latency, maxActiveQueues, timesToThumbnail } from "../../src/simulator/sim-summary.ts";
import { sim, T0 } from "./engine-fixtures.ts";

const HOUR = 3_600_000;
const PIPELINE = [
  "metadataExtraction",
  "storageTemplateMigration",
  "thumbnailGeneration",
  "smartSearch",
  "faceDetection",
  "ocr",
  "videoConversion",
  "duplicateDetection",
  "facialRecognition",
];

describe("names", () => {
  test("four scenarios, each described", () => {
    expect([...SCENARIO_NAMES]).toEqual(["import", "backlog", "nightly", "idle"]);
    for (const n of SCENARIO_NAMES) expect(SCENARIO_SUMMARIES[n].length).toBeGreaterThan(10);
    expect(isScenarioName("nightly")).toBe(true);
    expect(isScenarioName("Nightly")).toBe(false);
  });

  test("an unknown name is one clear line listing the names", () => {
    const s = sim();
    expect(() => applyScenario(s.engine, "imprt")).toThrow(UnknownScenarioError);
    expect(() => applyScenario(s.engine, "imprt")).toThrow('unknown scenario "imprt"; choose one of: import, backlog, nightly, idle');
    expect(() => applyScenario(s.engine, "import", { scale: -1 })).toThrow("scale");
  });
});

describe("import", () => {
  test("full size: everything at once, every queue of the pipeline busy, done in hours of simulated time, under a second of CPU", () => {
    const cpu = process.cpuUsage();
    const s = sim({ seed: 5 });
    applyScenario(s.engine, "import");
    expect(s.counts("metadataExtraction")).toMatchObject({ active: 5, waiting: IMPORT_PHOTOS + IMPORT_VIDEOS - 5 });
    const end = s.drain(60_000);
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1_000;
    const rec = s.engine.recording();
    expect(rec.uploads).toHaveLength(IMPORT_PHOTOS + IMPORT_VIDEOS);
    expect(rec.uploads.filter((u) => u.kind === "video")).toHaveLength(IMPORT_VIDEOS);
    expect(rec.uploads.every((u) => u.doneAt !== undefined)).toBe(true);
    // The choke the daemon exists for: the whole pipeline runs at once.
    // (storageTemplateMigration's jobs are skipped with the template off, Immich's default: busy, but no work.)
    expect(maxActiveQueues(rec, PIPELINE)).toBe(PIPELINE.length - 1);
    expect(rec.activeIntervals.filter((i) => i.queue === "storageTemplateMigration").every((i) => i.noOp)).toBe(true);
    // …each at exactly its concurrency at its busiest, never above.
    for (const q of PIPELINE) expect(rec.peakActive[q]).toBe(DEFAULT_CONCURRENCY[q]!);
    expect(end).toBeGreaterThan(HOUR);
    expect(cpuMs).toBeLessThan(1_000);
    // Videos are shuffled in among the photos, not all at the end.
    const firstVideo = rec.uploads.findIndex((u) => u.kind === "video");
    expect(firstVideo).toBeLessThan(IMPORT_PHOTOS);
  });

  test("spread over a window, arrivals are seeded events within it", () => {
    const run = (seed: number) => {
      const s = sim({ seed });
      applyScenario(s.engine, "import", { scale: 0.02, spreadMs: 600_000 });
      expect(s.engine.recording().uploads).toHaveLength(0);
      s.at(600_000);
      return s.engine.recording().uploads.map((u) => u.arrivedAt - T0);
    };
    const a = run(1);
    expect(a).toHaveLength(Math.round(0.02 * IMPORT_PHOTOS) + Math.round(0.02 * IMPORT_VIDEOS));
    expect(a.every((t) => t >= 0 && t <= 600_000)).toBe(true);
    expect(run(1)).toEqual(a);
    expect(run(2)).not.toEqual(a);
  });
});

describe("backlog", () => {
  test("a long ML backlog while new uploads trickle in about every 30 s and get thumbnails quickly", () => {
    const s = sim({ seed: 9 });
    applyScenario(s.engine, "backlog", { scale: 0.1 });
    const assets = 0.1 * BACKLOG_ASSETS;
    expect(s.counts("smartSearch")).toMatchObject({ active: 2, waiting: assets - 2 });
    expect(s.counts("faceDetection")).toMatchObject({ active: 2, waiting: assets - 2 });
    s.at(HOUR / 2);
    const rec = s.engine.recording();
    // Gaps of 0.5–1.5 × 30 s: about 60 uploads in half an hour.
    expect(rec.uploads.length).toBeGreaterThan(45);
    expect(rec.uploads.length).toBeLessThan(90);
    expect(s.counts("smartSearch").waiting).toBeGreaterThan(300); // still a long backlog
    expect(latency(timesToThumbnail(rec)).p95!).toBeLessThan(30_000);
  });

  test("the trickle can be bounded", () => {
    const s = sim();
    applyScenario(s.engine, "backlog", { scale: 0.001, trickleForMs: 10 * 60_000 });
    s.at(3 * HOUR);
    const uploads = s.engine.recording().uploads;
    expect(uploads.length).toBeGreaterThan(10);
    expect(uploads.every((u) => u.arrivedAt <= T0 + 10 * 60_000)).toBe(true);
    expect(s.engine.nextEventAt()).toBeUndefined();
  });
});

describe("nightly", () => {
  test("00:00 cleanups, scans and a library import; 02:00 backup; 03:00 integrity checks; again the next night", () => {
    const s = sim({ seed: 4 });
    applyScenario(s.engine, "nightly", { scale: 0.1 });
    s.at(0);
    expect(s.counts("backgroundTask")).toMatchObject({ active: 5, waiting: 3 });
    expect(s.engine.jobs("thumbnailGeneration", ["active"]).map((j) => j.name)).toEqual(["AssetGenerateThumbnailsQueueAll"]);
    expect(s.engine.jobs("library", ["active"]).map((j) => j.name)).toEqual(["LibraryScanQueueAll"]);
    // The recognition scan holds its slot while the thumbnail scan runs.
    s.at(500);
    expect(s.engine.jobs("facialRecognition", ["active"]).map((j) => j.name)).toEqual(["FacialRecognitionQueueAll"]);
    // The library scan finds new files, which flow library → sidecar → metadata → …
    s.at(5_000);
    expect(s.engine.recording().uploads).toHaveLength(21);
    expect(s.engine.recording().uploads.every((u) => u.source === "library")).toBe(true);
    s.at(HOUR);
    expect(s.engine.recording().uploads.every((u) => u.doneAt !== undefined)).toBe(true);
    expect(s.engine.isIdle()).toBe(true);
    s.at(2 * HOUR);
    expect(s.engine.jobs("backupDatabase", ["active"]).map((j) => j.name)).toEqual(["DatabaseBackup"]);
    s.at(3 * HOUR);
    expect(s.counts("integrityCheck")).toMatchObject({ active: 1, waiting: 2 });
    s.at(23 * HOUR);
    expect(s.engine.isIdle()).toBe(true);
    s.at(24 * HOUR);
    expect(s.counts("backgroundTask").active).toBe(5);
    s.at(24 * HOUR + 5_000);
    expect(s.engine.recording().uploads).toHaveLength(42);
  });

  test("a profile without integrityCheck simply skips it; the night can be placed at a real midnight", () => {
    const s = sim({ profile: "v2.7" });
    const midnight = nextMidnightUtc(T0 + 1);
    expect(midnight).toBe(T0 + 24 * HOUR);
    expect(nextMidnightUtc(T0)).toBe(T0);
    applyScenario(s.engine, "nightly", { scale: 0.05, midnight });
    s.at(23 * HOUR);
    expect(s.engine.isIdle()).toBe(true);
    expect(s.engine.recording().completedJobs.backgroundTask).toBe(0);
    s.at(24 * HOUR + 3 * HOUR);
    expect(s.engine.recording().completedJobs.backupDatabase).toBe(1);
    expect(s.engine.isIdle()).toBe(true);
  });
});

describe("idle", () => {
  test("nothing happens", () => {
    const s = sim();
    applyScenario(s.engine, "idle");
    s.at(24 * HOUR);
    expect(s.engine.isIdle()).toBe(true);
    expect(s.engine.nextEventAt()).toBeUndefined();
    const rec = s.engine.recording();
    expect([rec.uploads.length, rec.activeIntervals.length, rec.pauseChanges.length]).toEqual([0, 0, 0]);
  });
});
