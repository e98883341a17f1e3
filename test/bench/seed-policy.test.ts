// The baseline must be the seed script's algorithm, defects included: these
// tables pin each reading of its README that the benchmark's figures rest on.
import { describe, expect, test } from "bun:test";
import type { Observation, QueueSnapshot } from "../../src/core/types.ts";
import { PROFILES } from "../../src/simulator/profiles.ts";
import { SEED_PRIORITY, seedOrder, seedPoll } from "../../bench/seed-policy.ts";

const QUEUES = PROFILES["v3.1"].queues;

/** Every v3.1 queue idle and running, with the given changes. */
function obs(changes: Record<string, Partial<QueueSnapshot>> = {}): Observation {
  return {
    at: 0,
    api: "jobs",
    queues: QUEUES.map((name) => ({ name, isPaused: false, active: 0, completed: 0, failed: 0, delayed: 0, waiting: 0, paused: 0, ...changes[name] })),
  };
}

describe("seed script's poll", () => {
  test("its order: its nine, then every other queue in the server's order", () => {
    const order = seedOrder(QUEUES);
    expect(order.slice(0, 9)).toEqual([...SEED_PRIORITY]);
    expect(order.slice(9)).toEqual(QUEUES.filter((q) => !SEED_PRIORITY.includes(q)));
    expect(order.length).toBe(QUEUES.length);
  });

  test("anything active anywhere, even an unmanaged queue: it sends nothing", () => {
    for (const busy of ["smartSearch", "backgroundTask"]) {
      const r = seedPoll(obs({ [busy]: { active: 1 }, metadataExtraction: { waiting: 50 } }), 1, {});
      expect(r.commands).toEqual([]);
      expect(r.memory).toEqual({});
    }
  });

  test("nothing active: resumes the first N with queued work (paused counts too) and pauses every other queue, protected ones included", () => {
    const o = obs({
      videoConversion: { paused: 3, isPaused: true },
      thumbnailGeneration: { waiting: 10 },
      ocr: { paused: 5, isPaused: true },
      faceDetection: { delayed: 4 }, // delayed is not queued work
    });
    const r = seedPoll(o, 2, {});
    const resumed = r.commands.filter((c) => !c.paused).map((c) => c.queue);
    const paused = r.commands.filter((c) => c.paused).map((c) => c.queue);
    expect(resumed).toEqual(["thumbnailGeneration", "videoConversion"]); // ocr is an "other job": last
    expect(paused).toContain("backgroundTask");
    expect(paused).toContain("notifications");
    expect(paused).toContain("ocr");
    expect(paused).toContain("faceDetection");
    expect(paused.length + resumed.length).toBe(QUEUES.length);
    // Resumes go out before pauses, as in the README's steps 5 and 6.
    expect(r.commands.findIndex((c) => c.paused)).toBe(2);
  });

  test("it trusts its memory: a flag it believes set is not sent again, even if the server says otherwise", () => {
    const first = seedPoll(obs({ metadataExtraction: { waiting: 9 } }), 1, {});
    expect(first.commands.length).toBe(QUEUES.length);
    // Someone resumed backgroundTask meanwhile: the seed does not notice.
    const second = seedPoll(obs({ metadataExtraction: { waiting: 2 } }), 1, first.memory);
    expect(second.commands).toEqual([]);
    // metadataExtraction done, sidecar has work: exactly two changes.
    const third = seedPoll(obs({ sidecar: { paused: 4, isPaused: true } }), 1, first.memory);
    expect(third.commands).toEqual([
      { queue: "sidecar", paused: false },
      { queue: "metadataExtraction", paused: true },
    ]);
  });

  test("no work anywhere: everything paused", () => {
    const r = seedPoll(obs(), 3, {});
    expect(r.commands.every((c) => c.paused)).toBe(true);
    expect(Object.values(r.memory).every((p) => p)).toBe(true);
  });
});
