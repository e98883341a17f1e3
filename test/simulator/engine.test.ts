// BullMQ semantics of the simulator's engine (API.md §5): concurrency, pause
// that drains without interrupting, paused/waiting counts, idempotent flags,
// delayed jobs, restart and Redis loss, empty, job listing, holding scans.
import { describe, expect, test } from "bun:test";
import { VirtualClock } from "../../src/shared/clock.ts";
import { createEngine, UnknownQueueError } from "../../src/simulator/engine.ts";
import { PROFILES } from "../../src/simulator/profiles.ts";
import { exact, sim, T0 } from "./engine-fixtures.ts";

describe("concurrency", () => {
  test("a queue runs at most its concurrency and fills every free slot", () => {
    const s = sim();
    s.engine.enqueue("thumbnailGeneration", 10, { durationMs: 1_000 });
    for (let t = 0; t <= 5_000; t += 100) {
      const c = s.at(t) && s.counts("thumbnailGeneration");
      const remaining = 10 - 3 * Math.floor(t / 1_000);
      expect(c.active).toBe(Math.max(0, Math.min(3, remaining)));
      expect(c.waiting).toBe(Math.max(0, remaining - 3));
      expect(c.active).toBeLessThanOrEqual(3);
    }
    expect(s.engine.recording().peakActive.thumbnailGeneration).toBe(3);
  });

  test("defaults follow Immich and can be overridden", () => {
    const s = sim({ concurrency: { metadataExtraction: 2 } });
    for (const q of ["metadataExtraction", "storageTemplateMigration", "smartSearch", "facialRecognition"]) {
      s.engine.enqueue(q, 20, { durationMs: 1_000 });
    }
    expect(s.counts("metadataExtraction").active).toBe(2);
    expect(s.counts("storageTemplateMigration").active).toBe(1);
    expect(s.counts("smartSearch").active).toBe(2);
    expect(s.counts("facialRecognition").active).toBe(1);
  });

  test("bad options are refused with a message naming the queue", () => {
    const clock = new VirtualClock(T0);
    const queues = PROFILES["v3.1"].queues;
    expect(() => createEngine(clock, { queues, concurrency: { ocr: 0 } })).toThrow("concurrency of ocr");
    expect(() => createEngine(clock, { queues, durations: { ocr: -1 } })).toThrow("duration of ocr");
    expect(() => createEngine(clock, { queues, jitter: 1 })).toThrow("jitter");
  });
});

describe("pause and resume", () => {
  test("pause stops new starts; active jobs finish on their own; pending counts as paused", () => {
    const s = sim();
    s.engine.enqueue("thumbnailGeneration", 10, { durationMs: 1_000 });
    s.at(500);
    const after = s.engine.setPaused("thumbnailGeneration", true, "daemon");
    expect(after).toEqual({
      name: "thumbnailGeneration",
      isPaused: true,
      counts: { active: 3, completed: 0, failed: 0, delayed: 0, waiting: 0, paused: 7 },
    });
    s.at(999);
    expect(s.counts("thumbnailGeneration").active).toBe(3); // not interrupted
    s.at(1_000);
    expect(s.counts("thumbnailGeneration")).toMatchObject({ active: 0, waiting: 0, paused: 7 });
    s.at(60_000);
    expect(s.counts("thumbnailGeneration")).toMatchObject({ active: 0, waiting: 0, paused: 7 });
    const rec = s.engine.recording();
    expect(rec.completedJobs.thumbnailGeneration).toBe(3);
    expect(rec.activeIntervals).toEqual([{ queue: "thumbnailGeneration", from: T0, to: T0 + 1_000 }]);
  });

  test("resume moves paused jobs back to waiting and starts them at once", () => {
    const s = sim();
    s.engine.setPaused("thumbnailGeneration", true, "daemon");
    s.engine.enqueue("thumbnailGeneration", 10, { durationMs: 1_000 });
    s.at(5_000);
    expect(s.counts("thumbnailGeneration")).toMatchObject({ active: 0, waiting: 0, paused: 10 });
    const resumed = s.engine.setPaused("thumbnailGeneration", false, "person");
    expect(resumed.counts).toMatchObject({ active: 3, waiting: 7, paused: 0 });
    s.at(6_000);
    expect(s.counts("thumbnailGeneration")).toMatchObject({ active: 3, waiting: 4, paused: 0 });
  });

  test("jobs added while paused land in paused, never in waiting", () => {
    const s = sim();
    s.engine.setPaused("smartSearch", true, "daemon");
    s.engine.enqueue("smartSearch", 4);
    s.at(1_000).enqueue("smartSearch", 2);
    expect(s.counts("smartSearch")).toMatchObject({ active: 0, waiting: 0, paused: 6 });
  });

  test("pause and resume are idempotent: one change recorded per real change, with its actor", () => {
    const s = sim();
    s.engine.setPaused("ocr", true, "daemon");
    s.at(10).setPaused("ocr", true, "person");
    s.at(20).setPaused("ocr", false, "person");
    s.at(30).setPaused("ocr", false, "daemon");
    s.at(40).setPaused("faceDetection", false, "daemon");
    expect(s.engine.recording().pauseChanges).toEqual([
      { at: T0, queue: "ocr", paused: true, actor: "daemon" },
      { at: T0 + 20, queue: "ocr", paused: false, actor: "person" },
    ]);
  });
});

describe("delayed jobs", () => {
  test("count as delayed, not work, until due; then waiting (or paused)", () => {
    const s = sim();
    s.engine.enqueue("backgroundTask", 2, { delayMs: 5_000, durationMs: 1_000 });
    s.engine.setPaused("library", true, "daemon");
    s.engine.enqueue("library", 1, { delayMs: 5_000 });
    s.at(4_999);
    expect(s.counts("backgroundTask")).toMatchObject({ delayed: 2, waiting: 0, active: 0 });
    expect(s.counts("library")).toMatchObject({ delayed: 1, paused: 0 });
    expect(s.engine.isIdle()).toBe(false);
    s.at(5_000);
    expect(s.counts("backgroundTask")).toMatchObject({ delayed: 0, active: 2 });
    expect(s.counts("library")).toMatchObject({ delayed: 0, paused: 1, active: 0 });
    expect(s.engine.jobs("backgroundTask", ["delayed"])).toEqual([]);
  });
});

describe("completed and failed", () => {
  test("read 0 as on the real server, while the recording counts completions", () => {
    const s = sim();
    s.engine.upload({ photos: 5 });
    s.drain();
    for (const q of s.engine.list()) expect([q.counts.completed, q.counts.failed]).toEqual([0, 0]);
    expect(s.engine.recording().completedJobs.thumbnailGeneration).toBe(5);
  });
});

describe("restart", () => {
  test("active jobs are re-queued and run again; flags survive except metadataExtraction's", () => {
    const s = sim(exact);
    s.engine.setPaused("thumbnailGeneration", true, "daemon");
    s.engine.setPaused("smartSearch", true, "daemon");
    s.engine.setPaused("metadataExtraction", true, "daemon");
    s.engine.setPaused("thumbnailGeneration", false, "daemon");
    s.engine.enqueue("thumbnailGeneration", 4, { durationMs: 1_000 });
    s.engine.enqueue("metadataExtraction", 2, { durationMs: 1_000 });
    s.at(500);
    s.engine.setPaused("thumbnailGeneration", true, "daemon");
    expect(s.counts("thumbnailGeneration")).toMatchObject({ active: 3, paused: 1 });
    s.engine.restart();
    // Paused queue: the stalled jobs join its pending jobs, counted as paused.
    expect(s.counts("thumbnailGeneration")).toMatchObject({ active: 0, waiting: 0, paused: 4 });
    expect(s.engine.get("smartSearch")!.isPaused).toBe(true);
    // metadataExtraction was resumed by the restart and runs its jobs now.
    expect(s.counts("metadataExtraction")).toMatchObject({ active: 2, paused: 0 });
    const changes = s.engine.recording().pauseChanges.filter((c) => c.actor === "restart");
    expect(changes).toEqual([{ at: T0 + 500, queue: "metadataExtraction", paused: false, actor: "restart" }]);
    // The first runs' completions (due at 1000) no longer count: a full new run.
    s.at(1_000);
    expect(s.counts("thumbnailGeneration").paused).toBe(4);
    s.engine.setPaused("thumbnailGeneration", false, "daemon");
    s.at(1_999);
    expect(s.counts("thumbnailGeneration")).toMatchObject({ active: 3, waiting: 1 });
    s.at(2_000);
    expect(s.counts("thumbnailGeneration")).toMatchObject({ active: 1, waiting: 0 });
    expect(s.engine.recording().completedJobs.thumbnailGeneration).toBe(3);
  });

  test("re-queued jobs go to the head of the queue", () => {
    const s = sim();
    s.engine.enqueue("ocr", 3, { durationMs: 1_000 });
    s.at(100).restart();
    const [running] = s.engine.jobs("ocr", ["active"]);
    expect(running!.id).toBe("1");
  });
});

describe("redis loss", () => {
  test("clears every flag and every queued, delayed and active job", () => {
    const s = sim();
    s.engine.setPaused("smartSearch", true, "daemon");
    s.engine.setPaused("thumbnailGeneration", true, "daemon");
    s.engine.upload({ photos: 20 });
    s.engine.enqueue("backupDatabase", 1, { delayMs: 10_000 });
    s.at(2_000).redisLoss();
    for (const q of s.engine.list()) {
      expect(q.isPaused).toBe(false);
      expect(q.counts).toEqual({ active: 0, completed: 0, failed: 0, delayed: 0, waiting: 0, paused: 0 });
    }
    const lost = s.engine.recording().pauseChanges.filter((c) => c.actor === "redis-loss");
    expect(lost.map((c) => c.queue).sort()).toEqual(["smartSearch", "thumbnailGeneration"]);
    s.at(60_000);
    expect(s.counts("backupDatabase").active).toBe(0); // the delayed job never comes due
    expect(s.engine.recording().uploads.every((u) => u.doneAt === undefined)).toBe(true);
    // The server keeps working afterwards.
    s.engine.upload({ photos: 1 });
    s.drain();
    expect(s.engine.recording().uploads.at(-1)!.doneAt).toBeDefined();
  });
});

describe("empty, listing, errors", () => {
  test("empty removes pending jobs only", () => {
    const s = sim();
    s.engine.enqueue("faceDetection", 10, { durationMs: 1_000 });
    expect(s.engine.empty("faceDetection")).toBe(8);
    expect(s.counts("faceDetection")).toMatchObject({ active: 2, waiting: 0 });
    s.at(1_000);
    expect(s.counts("faceDetection").active).toBe(0);
  });

  test("jobs lists newest first, with Immich job names and asset data", () => {
    const s = sim();
    s.engine.setPaused("metadataExtraction", true, "daemon");
    const ids = s.engine.upload({ photos: 3 });
    s.at(10).upload({ videos: 1 });
    const waiting = s.engine.jobs("metadataExtraction", ["waiting"]);
    expect(waiting.map((j) => j.id)).toEqual(["4", "3", "2", "1"]);
    expect(waiting[3]).toEqual({ id: "1", name: "AssetExtractMetadata", timestamp: T0, data: { source: "upload", id: ids[0]! } });
    // While paused, `waiting` and `paused` list the same jobs, as recorded.
    expect(s.engine.jobs("metadataExtraction", ["paused"])).toEqual(waiting);
    expect(s.engine.jobs("metadataExtraction", ["waiting", "paused"])).toEqual(waiting);
    s.engine.setPaused("metadataExtraction", false, "daemon");
    expect(s.engine.jobs("metadataExtraction", ["paused"])).toEqual([]);
    expect(s.engine.jobs("metadataExtraction", ["active"]).map((j) => j.id)).toEqual(["4", "3", "2", "1"]);
    expect(s.engine.jobs("metadataExtraction", ["completed", "failed"])).toEqual([]);
  });

  test("an unknown queue is a clear error listing the known ones; get answers undefined", () => {
    const s = sim({ profile: "v1.137" });
    expect(s.engine.get("ocr")).toBeUndefined();
    expect(() => s.engine.setPaused("ocr", true, "x")).toThrow(UnknownQueueError);
    expect(() => s.engine.enqueue("ocr", 1)).toThrow(/unknown queue "ocr"; this server has: thumbnailGeneration, /);
  });
});

describe("scans (start / nightly)", () => {
  test("the facial-recognition scan holds its active slot while thumbnails or face detection run", () => {
    const s = sim(exact);
    s.engine.enqueue("thumbnailGeneration", 3, { durationMs: 10_000 });
    s.engine.queueAll("facialRecognition");
    for (const t of [0, 5_000, 9_999]) expect(s.at(t) && s.counts("facialRecognition").active).toBe(1);
    // Thumbnails end at 10 s; the next poll sees it and the scan's own work (1 s) follows.
    s.at(10_999);
    expect(s.counts("facialRecognition").active).toBe(1);
    s.at(11_000);
    expect(s.counts("facialRecognition").active).toBe(0);
  });

  test("the scan queues recognition for detected faces not yet recognised", () => {
    const s = sim(exact);
    s.engine.setPaused("facialRecognition", true, "daemon");
    s.engine.upload({ photos: 4 });
    s.at(600_000); // everything but recognition is done
    expect(s.counts("facialRecognition")).toMatchObject({ active: 0, paused: 4 });
    s.engine.empty("facialRecognition"); // lost, e.g. emptied by hand
    s.engine.setPaused("facialRecognition", false, "daemon");
    s.engine.queueAll("facialRecognition", { force: false });
    expect(s.engine.jobs("facialRecognition", ["active"])[0]!.name).toBe("FacialRecognitionQueueAll");
    s.drain();
    expect(s.engine.recording().completedJobs.facialRecognition).toBe(1 + 4);
  });

  test("start thumbnails: without force only missing ones (none), with force every asset", () => {
    const s = sim(exact);
    s.engine.upload({ photos: 5, videos: 1 });
    s.drain();
    s.engine.setPaused("thumbnailGeneration", true, "person");
    s.engine.queueAll("thumbnailGeneration", { force: false });
    expect(s.counts("thumbnailGeneration")).toMatchObject({ active: 0, paused: 1 }); // the scan job itself
    s.engine.setPaused("thumbnailGeneration", false, "person");
    const done = s.drain();
    expect(s.engine.recording().completedJobs.thumbnailGeneration).toBe(6 + 1);
    s.engine.queueAll("thumbnailGeneration", { force: true });
    s.at(done + 1_000);
    expect(s.counts("thumbnailGeneration")).toMatchObject({ active: 3, waiting: 3 });
    s.drain();
    // Scan-queued jobs do not chain on: no new ML work.
    expect(s.engine.recording().completedJobs.smartSearch).toBe(6);
  });
});

describe("time", () => {
  test("the result does not depend on how often the engine is read", () => {
    const run = (readEveryMs: number) => {
      const s = sim({ seed: 7 });
      s.engine.upload({ photos: 30, videos: 2 });
      s.engine.enqueue("backgroundTask", 3, { delayMs: 3_000 });
      for (let t = 0; t <= 400_000; t += readEveryMs) {
        s.at(t);
        s.engine.list();
        if (t === 20_000) s.engine.setPaused("thumbnailGeneration", true, "daemon");
        if (t === 60_000) s.engine.setPaused("thumbnailGeneration", false, "daemon");
      }
      return s.engine.recording();
    };
    expect(run(20_000)).toEqual(run(10));
  });

  test("a clock that reads the same time twice, or earlier, changes nothing", () => {
    // A hand-moved clock: it may go back, which no real clock here does but a
    // wall clock stepped by NTP could.
    let t = T0;
    const clock = { now: () => t, sleep: async () => {} };
    const engine = createEngine(clock, { queues: PROFILES["v3.1"].queues });
    engine.upload({ photos: 2 });
    t = T0 + 1_000;
    const a = engine.list();
    expect(engine.list()).toEqual(a);
    t = T0 + 500;
    expect(engine.list()).toEqual(a);
    expect(engine.now()).toBe(T0 + 1_000);
    engine.upload({ photos: 1 });
    expect(engine.recording().uploads.at(-1)!.arrivedAt).toBe(T0 + 1_000);
  });
});
