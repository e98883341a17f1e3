// A queue whose jobs the server skips passes through (core/pass-through.ts,
// issue 19 item 7): storageTemplateMigration while the storage template is
// off. Decision tables and properties: it takes no slot, it is kept unpaused
// (never released, never over the cap), yet a person's pause (rule 8) and a
// blocker (a window, the owner's hold) still keep it paused; and the cap on
// the queues that do work is never exceeded by a resume.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { loadOf } from "../../src/core/auto-cap.ts";
import type { Blockers } from "../../src/core/blockers.ts";
import { decide, occupiesSlot } from "../../src/core/decide.ts";
import { passThroughQueues, STORAGE_TEMPLATE_QUEUE } from "../../src/core/pass-through.ts";
import { DEFAULT_PRIORITY, KNOWN_QUEUES } from "../../src/core/queues.ts";
import { emptyOwnership, type Observation, type Ownership, type Policy } from "../../src/core/types.ts";
import { applyActions, obs } from "../helpers/observations.ts";
import { queueArb } from "../helpers/queue-arbitrary.ts";

const ST = STORAGE_TEMPLATE_QUEUE;
const policy = (maxConcurrent: number, standby = true): Policy => ({ maxConcurrent, priority: DEFAULT_PRIORITY, standby });
const own = (o: Partial<Ownership> = {}): Ownership => ({ ...emptyOwnership(), ...o });
const allPausedByUs = own({ pausedByUs: [...DEFAULT_PRIORITY] });
const pausedIdle = Object.fromEntries(DEFAULT_PRIORITY.map((q) => [q, { isPaused: true }]));
const through = [ST];

describe("which queues pass through", () => {
  test("storageTemplateMigration while the template is off; nothing while it is on or unknown", () => {
    expect(passThroughQueues({ storageTemplateEnabled: false })).toEqual([ST]);
    expect(passThroughQueues({ storageTemplateEnabled: true })).toEqual([]);
    expect(passThroughQueues({})).toEqual([]);
  });
});

describe("decisions with the storage template off", () => {
  test("idle at N=2: metadataExtraction and thumbnailGeneration stand by, storageTemplateMigration is resumed to pass through, no slot counted", () => {
    const d = decide({ observation: obs(pausedIdle), policy: policy(2), ownership: allPausedByUs, passThrough: through });
    expect(d.standby).toEqual(["metadataExtraction", "thumbnailGeneration"]);
    expect(d.actions.filter((a) => a.kind === "resume").map((a) => [a.queue, a.reason])).toEqual([
      ["metadataExtraction", "standby"],
      ["thumbnailGeneration", "standby"],
      [ST, "pass-through"],
    ]);
    expect(d.passThrough).toEqual([ST]);
    expect(d.queues.find((v) => v.name === ST)).toMatchObject({ occupiesSlot: false, passThrough: true, owner: "daemon" });
    expect(d.ownership.runningByUs).toContain(ST);
  });

  test("at N=1 with metadataExtraction running: the storage-template jobs pass through while thumbnailGeneration waits its turn", () => {
    const d = decide({
      observation: obs({ ...pausedIdle, metadataExtraction: { active: 5, pending: 20 }, [ST]: { isPaused: true, pending: 4 }, thumbnailGeneration: { isPaused: true, pending: 6 } }),
      policy: policy(1),
      ownership: own({ pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "metadataExtraction"), runningByUs: ["metadataExtraction"] }),
      passThrough: through,
    });
    expect(d.actions).toEqual([expect.objectContaining({ queue: ST, kind: "resume", reason: "pass-through" })]);
    expect(d.occupiedAfter).toBe(1);
  });

  test("unpaused with work beside N holders: not paused over the cap; unpaused and empty: not released", () => {
    const busy = decide({
      observation: obs({ ...pausedIdle, metadataExtraction: { active: 5, pending: 20 }, [ST]: { active: 1, pending: 3 } }),
      policy: policy(1, false),
      ownership: own({ runningByUs: ["metadataExtraction", ST] }),
      passThrough: through,
    });
    expect(busy.actions.filter((a) => a.queue === ST)).toEqual([]);
    expect(busy.occupiedBefore).toBe(1);
    const idle = decide({ observation: obs({ ...pausedIdle, [ST]: {} }), policy: policy(1, false), ownership: own({ runningByUs: [ST] }), passThrough: through });
    expect(idle.actions.filter((a) => a.queue === ST)).toEqual([]);
  });

  test("a person paused it: held, never resumed (rule 8)", () => {
    const d = decide({ observation: obs({ ...pausedIdle, [ST]: { isPaused: true, pending: 2 } }), policy: policy(2), ownership: own({ runningByUs: [ST] }), passThrough: through });
    expect(d.ownership.held).toContain(ST);
    expect(d.actions.some((a) => a.queue === ST && a.kind === "resume")).toBe(false);
  });

  test("a closed window pauses it and keeps it paused; the owner's hold too", () => {
    const closed: Blockers = { [ST]: [{ code: "window-closed", detail: "outside its window 01:00-06:00", pause: true }] };
    const held: Blockers = { [ST]: [{ code: "owner-hold", detail: "held by the owner until 18:00", pause: true }] };
    const running = decide({ observation: obs({ ...pausedIdle, [ST]: {} }), policy: policy(2), ownership: own({ runningByUs: [ST] }), passThrough: through, blockers: closed });
    expect(running.actions.find((a) => a.queue === ST)).toMatchObject({ kind: "pause", reason: "window-closed" });
    const paused = decide({ observation: obs({ ...pausedIdle, [ST]: { isPaused: true, pending: 3 } }), policy: policy(2), ownership: allPausedByUs, passThrough: through, blockers: closed });
    expect(paused.actions.some((a) => a.queue === ST)).toBe(false);
    const owner = decide({ observation: obs({ ...pausedIdle, [ST]: {} }), policy: policy(2), ownership: own({ runningByUs: [ST] }), passThrough: through, blockers: held });
    expect(owner.actions.find((a) => a.queue === ST)).toMatchObject({ kind: "pause", reason: "owner-hold" });
  });

  test("the template turned on while it passed through with work: it is a stage again, and the cap holds (the lower-priority holder is paused)", () => {
    const o = obs({ ...pausedIdle, metadataExtraction: { active: 5, pending: 10 }, [ST]: { active: 1, pending: 4 }, thumbnailGeneration: { active: 3, pending: 8 } });
    const d = decide({ observation: o, policy: policy(2), ownership: own({ runningByUs: ["metadataExtraction", ST, "thumbnailGeneration"] }) });
    expect(d.actions.filter((a) => a.reason === "over-cap").map((a) => a.queue)).toEqual(["thumbnailGeneration"]);
  });

  test("rule 15 reads no waiting work from a pass-through queue (N is not raised for it)", () => {
    const o = obs({ ...pausedIdle, metadataExtraction: { active: 5, pending: 10 }, [ST]: { isPaused: true, pending: 4 } });
    const ownership = own({ pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "metadataExtraction"), runningByUs: ["metadataExtraction"] });
    // Paused with work by a blocker-free look after which it is resumed: the decision's view says it takes no slot.
    const d = decide({ observation: o, policy: policy(1, false), ownership, passThrough: through });
    expect(loadOf(d, o).workWaits).toBe(false);
    expect(loadOf(decide({ observation: o, policy: policy(1, false), ownership }), o).workWaits).toBe(true);
  });
});

describe("properties with a queue passing through", () => {
  const observationArb: fc.Arbitrary<Observation> = fc.tuple(...KNOWN_QUEUES.map(queueArb)).map((queues) => ({ at: 0, api: "queues" as const, queues }));
  const ownershipArb = fc.record({ pausedByUs: fc.subarray([...DEFAULT_PRIORITY]), runningByUs: fc.subarray([...DEFAULT_PRIORITY]), held: fc.subarray([...DEFAULT_PRIORITY]) });
  const arb = fc.record({ observation: observationArb, n: fc.integer({ min: 1, max: 4 }), standby: fc.boolean(), ownership: ownershipArb, adoptPaused: fc.boolean() });
  /** Queues that do work and hold a slot: the pass-through queue aside. */
  const working = (o: Observation) => o.queues.filter((q) => DEFAULT_PRIORITY.includes(q.name as never) && q.name !== ST && occupiesSlot(q)).length;

  test("a resume never pushes the queues that do work above N; the pass-through queue is never paused for the cap or released; held, never resumed", () => {
    fc.assert(
      fc.property(arb, ({ observation, n, standby, ownership, adoptPaused }) => {
        const d = decide({ observation, policy: { maxConcurrent: n, priority: DEFAULT_PRIORITY, standby }, ownership, adoptPaused, passThrough: through });
        const after = applyActions(observation, d.actions);
        if (d.actions.some((a) => a.kind === "resume" && a.queue !== ST)) expect(working(after)).toBeLessThanOrEqual(n);
        expect(d.occupiedAfter).toBe(working(after));
        for (const a of d.actions.filter((x) => x.queue === ST)) {
          if (a.kind === "pause") expect(["window-closed", "ml-down", "owner-hold"]).toContain(a.reason);
          else expect(a.reason).toBe("pass-through");
        }
        if (d.ownership.held.includes(ST)) expect(d.actions.some((a) => a.queue === ST && a.kind === "resume")).toBe(false);
        expect(d.standby).not.toContain(ST);
      }),
      { numRuns: 400 },
    );
  });
});
