// Table tests for rule 12's standby (src/core/standby.ts) as decide() composes it.
import { describe, expect, test } from "bun:test";
import { decide } from "../../src/core/decide.ts";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { chooseStandby } from "../../src/core/standby.ts";
import { emptyOwnership, type Ownership, type Policy } from "../../src/core/types.ts";
import { obs, summary } from "../helpers/observations.ts";

const policy = (maxConcurrent = 1): Policy => ({ maxConcurrent, priority: DEFAULT_PRIORITY, standby: true });
const own = (o: Partial<Ownership> = {}): Ownership => ({ ...emptyOwnership(), ...o });
const allPaused = Object.fromEntries(DEFAULT_PRIORITY.map((q) => [q, { isPaused: true }]));
const allPausedByUs = own({ pausedByUs: [...DEFAULT_PRIORITY] });

describe("chooseStandby", () => {
  const q = (name: string, empty = true, held = false) => ({ name, empty, held });
  test.each([
    ["one free slot: metadataExtraction first, wherever it ranks", [q("sidecar"), q("metadataExtraction"), q("thumbnailGeneration")], 1, ["metadataExtraction"]],
    ["two free slots: the upload's next stage, not sidecar", [q("sidecar"), q("metadataExtraction"), q("thumbnailGeneration")], 2, ["metadataExtraction", "thumbnailGeneration"]],
    ["three free slots: the upload's stages in order, storageTemplateMigration between", [q("sidecar"), q("metadataExtraction"), q("storageTemplateMigration"), q("thumbnailGeneration")], 3, ["metadataExtraction", "storageTemplateMigration", "thumbnailGeneration"]],
    ["beyond the stages: by priority", [q("sidecar"), q("metadataExtraction"), q("storageTemplateMigration"), q("thumbnailGeneration"), q("smartSearch")], 5, ["metadataExtraction", "storageTemplateMigration", "thumbnailGeneration", "sidecar", "smartSearch"]],
    ["no free slot: none", [q("metadataExtraction")], 0, []],
    ["a held or busy queue is skipped", [q("sidecar", false), q("metadataExtraction", true, true), q("thumbnailGeneration")], 1, ["thumbnailGeneration"]],
  ] as const)("%s", (_name, queues, free, want) => {
    expect(chooseStandby(queues, free)).toEqual([...want]);
  });
});

describe("standby in decide()", () => {
  test("idle at start: metadataExtraction stays unpaused and empty, every other managed queue is released", () => {
    const d = decide({ observation: obs({}), policy: policy(1), ownership: own() });
    expect(d.standby).toEqual(["metadataExtraction"]);
    expect(d.actions.some((a) => a.queue === "metadataExtraction")).toBe(false);
    expect(d.actions.filter((a) => a.reason === "release").length).toBe(DEFAULT_PRIORITY.length - 1);
    expect(d.ownership.runningByUs).toContain("metadataExtraction");
  });

  test("idle with everything paused by the daemon: metadataExtraction is resumed to stand by", () => {
    const d = decide({ observation: obs(allPaused), policy: policy(1), ownership: allPausedByUs });
    expect(summary(d.actions)).toEqual(["resume metadataExtraction (standby)"]);
  });

  test("two free slots: the upload's first two stages stand by (issue 19 item 7)", () => {
    const d = decide({ observation: obs(allPaused), policy: policy(2), ownership: allPausedByUs });
    expect(summary(d.actions)).toEqual(["resume metadataExtraction (standby)", "resume storageTemplateMigration (standby)"]);
    expect(d.standby).toEqual(["metadataExtraction", "storageTemplateMigration"]);
  });

  test("work elsewhere takes the free slot: the standby queue is paused first, then the other resumed", () => {
    const d = decide({
      observation: obs({ ...allPaused, metadataExtraction: {}, thumbnailGeneration: { isPaused: true, pending: 5 } }),
      policy: policy(1),
      ownership: own({ pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "metadataExtraction"), runningByUs: ["metadataExtraction"] }),
    });
    expect(summary(d.actions)).toEqual(["pause metadataExtraction (release)", "resume thumbnailGeneration (fill-slot)"]);
    expect(d.standby).toEqual([]);
  });

  test("new work in the standby queue makes it an ordinary slot holder that keeps its slot", () => {
    const d = decide({
      observation: obs({ ...allPaused, metadataExtraction: { active: 2, pending: 3 }, smartSearch: { isPaused: true, pending: 500 } }),
      policy: policy(1),
      ownership: own({ pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "metadataExtraction"), runningByUs: ["metadataExtraction"] }),
    });
    expect(d.actions).toEqual([]);
    expect(d.occupiedAfter).toBe(1);
  });

  test("one slot busy of two: the other stands by; a person's paused queue is never the standby", () => {
    const d = decide({
      observation: obs({ ...allPaused, thumbnailGeneration: { active: 1, pending: 4 } }),
      policy: policy(2),
      ownership: own({ pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "thumbnailGeneration" && q !== "metadataExtraction"), runningByUs: ["thumbnailGeneration"], held: ["metadataExtraction"] }),
    });
    expect(summary(d.actions)).toEqual(["resume storageTemplateMigration (standby)"]);
  });

  test("off (the seed's behaviour): an idle queue is released like any other", () => {
    const d = decide({ observation: obs({}), policy: { ...policy(1), standby: false }, ownership: own() });
    expect(d.actions.some((a) => a.queue === "metadataExtraction" && a.reason === "release")).toBe(true);
    expect(d.standby).toEqual([]);
  });
});
