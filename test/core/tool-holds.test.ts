// immich-go's five queues paused or resumed together are said in one line;
// anything short of that keeps the usual line per queue, and nothing about
// the decision's actions or ownership changes (tool-holds.ts says why).
import { describe, expect, test } from "bun:test";
import { decide } from "../../src/core/decide.ts";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { emptyOwnership, type Ownership } from "../../src/core/types.ts";
import { obs } from "../helpers/observations.ts";

const policy = { maxConcurrent: 2, priority: DEFAULT_PRIORITY };
const pausedIdle = Object.fromEntries(DEFAULT_PRIORITY.map((q) => [q, { isPaused: true }]));
const running = (...queues: string[]): Ownership => ({
  ...emptyOwnership(),
  runningByUs: queues,
  pausedByUs: DEFAULT_PRIORITY.filter((q) => !queues.includes(q)),
});
const codes = (d: ReturnType<typeof decide>) => d.notices.map((n) => `${n.code}:${n.queue}`);

describe("paused together", () => {
  test("two of the five found paused by someone else with all five paused: one line naming both", () => {
    const d = decide({
      observation: obs({ ...pausedIdle, smartSearch: { isPaused: true, pending: 300 }, faceDetection: { isPaused: true, pending: 200 } }),
      policy,
      ownership: running("smartSearch", "faceDetection"),
    });
    expect(codes(d)).toEqual(["tool-held:faceDetection,smartSearch"]);
    expect(d.notices[0]!.level).toBe("warn");
    expect(d.notices[0]!.message).toContain("as immich-go does during an upload");
    // Nothing else changes: both are held, nothing is resumed into their slots but other work.
    expect([...d.ownership.held].sort()).toEqual(["faceDetection", "smartSearch"]);
  });

  test("one queue paused by someone else is that queue's usual line (a person pausing smartSearch is not immich-go)", () => {
    const d = decide({
      observation: obs({ ...pausedIdle, smartSearch: { isPaused: true, pending: 300 } }),
      policy,
      ownership: running("smartSearch"),
    });
    expect(codes(d)).toEqual(["held:smartSearch"]);
  });

  test("two paused by someone else while one of the five still runs: the usual lines", () => {
    const d = decide({
      observation: obs({
        ...pausedIdle,
        smartSearch: { isPaused: true, pending: 300 },
        faceDetection: { isPaused: true, pending: 200 },
        thumbnailGeneration: { active: 3, pending: 10 },
      }),
      policy: { ...policy, maxConcurrent: 3 },
      ownership: running("smartSearch", "faceDetection", "thumbnailGeneration"),
    });
    expect(codes(d).sort()).toEqual(["held:faceDetection", "held:smartSearch"]);
  });
});

describe("resumed together", () => {
  test("the five resumed by someone else at once (immich-go's end): one line", () => {
    const d = decide({
      observation: obs({
        ...pausedIdle,
        thumbnailGeneration: { pending: 40 },
        metadataExtraction: { pending: 20 },
        videoConversion: { pending: 2 },
        faceDetection: { pending: 200 },
        smartSearch: { pending: 300 },
      }),
      policy,
      ownership: { ...running(), held: ["smartSearch", "faceDetection"], pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "smartSearch" && q !== "faceDetection") },
    });
    expect(codes(d)).toEqual(["tool-released:thumbnailGeneration,metadataExtraction,videoConversion,faceDetection,smartSearch"]);
    // The cap comes back at once: three of them are paused again.
    expect(d.actions.filter((a) => a.reason === "over-cap")).toHaveLength(3);
  });

  test("one of them resumed by someone else: its usual line", () => {
    const d = decide({
      observation: obs({ ...pausedIdle, smartSearch: { pending: 300 } }),
      policy,
      ownership: { ...running(), held: ["smartSearch"], pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "smartSearch") },
    });
    expect(codes(d)).toEqual(["unheld:smartSearch"]);
  });
});
