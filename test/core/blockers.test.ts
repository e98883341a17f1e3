// Blockers composed by decide (DESIGN.md §2 rules 6, 13, 14): a closed window
// or the ML service gone pauses a running queue gracefully and keeps it from
// starting; host pressure only keeps anything new from starting. Tables,
// then properties over random observations.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type Block, type Blockers, blockers } from "../../src/core/blockers.ts";
import { decide, occupiesSlot } from "../../src/core/decide.ts";
import { DEFAULT_PRIORITY, ML_QUEUES } from "../../src/core/queues.ts";
import { emptyOwnership, type Observation, type Policy } from "../../src/core/types.ts";
import { applyActions, obs, snapshot, summary } from "../helpers/observations.ts";

const policy = (maxConcurrent = 1): Policy => ({ maxConcurrent, priority: DEFAULT_PRIORITY });
const closed = (queue: string, window = "22:00-06:00") => ({ queue, window, zone: "Europe/Berlin", open: false, nextChange: "Fri 22:00" });
const open = (queue: string, window = "22:00-06:00") => ({ queue, window, zone: "Europe/Berlin", open: true });
const allPaused = (except: string[] = []) => ({ ...emptyOwnership(), pausedByUs: DEFAULT_PRIORITY.filter((q) => !except.includes(q)) });
const pausedIdle = Object.fromEntries(DEFAULT_PRIORITY.map((q) => [q, { isPaused: true }]));

describe("what each gate blocks", () => {
  test("a closed window blocks its queue (pausing it); an open one nothing", () => {
    const b = blockers({ windows: [closed("smartSearch"), open("ocr")] }, DEFAULT_PRIORITY);
    expect(Object.keys(b)).toEqual(["smartSearch"]);
    expect(b.smartSearch![0]).toMatchObject({ code: "window-closed", pause: true });
    expect(b.smartSearch![0]!.detail).toBe("outside its window 22:00-06:00 (Europe/Berlin); it opens Fri 22:00");
  });
  test("the ML service gone blocks exactly the managed ML queues", () => {
    const b = blockers({ ml: { up: false, since: 0, urls: ["http://ml:3003"] } }, DEFAULT_PRIORITY);
    expect(Object.keys(b).sort()).toEqual([...ML_QUEUES].sort());
    expect(blockers({ ml: { up: true, since: 0, urls: ["http://ml:3003"] } }, DEFAULT_PRIORITY)).toEqual({});
  });
  test("pressure blocks every managed queue from starting but pauses none", () => {
    const b = blockers({ pressure: [{ resource: "cpu", value: 82.5, limit: 70 }] }, DEFAULT_PRIORITY);
    expect(Object.keys(b)).toHaveLength(DEFAULT_PRIORITY.length);
    expect(Object.values(b).every((x) => x.every((y) => !y.pause && y.code === "pressure"))).toBe(true);
    expect(b.sidecar![0]!.detail).toContain("cpu 82.5 % > 70 %");
    expect(blockers({ pressure: [] }, DEFAULT_PRIORITY)).toEqual({});
  });
});

describe("decide with blockers", () => {
  test("the window closes on a running queue: it is paused, its active jobs finish, and its slot frees only then", () => {
    const o = obs({ ...pausedIdle, smartSearch: { active: 2, pending: 500 }, thumbnailGeneration: { isPaused: true, pending: 40 } });
    const ownership = { ...allPaused(["smartSearch"]), runningByUs: ["smartSearch"] };
    const b = blockers({ windows: [closed("smartSearch")] }, DEFAULT_PRIORITY);
    const d = decide({ observation: o, policy: policy(1), ownership, blockers: b });
    expect(summary(d.actions)).toEqual(["pause smartSearch (window-closed)"]);
    expect(d.actions[0]!.detail).toContain("its 2 active jobs finish first");
    // Draining: still holds the one slot, so thumbnails wait for it.
    expect(d.occupiedAfter).toBe(1);
    // Its active jobs done: the slot goes to the next queue by priority.
    const drained = applyActions(obs({ ...pausedIdle, smartSearch: { isPaused: true, pending: 500 }, thumbnailGeneration: { isPaused: true, pending: 40 } }), []);
    const next = decide({ observation: drained, policy: policy(1), ownership: d.ownership, blockers: b });
    expect(summary(next.actions)).toEqual(["resume thumbnailGeneration (fill-slot)"]);
  });

  test("outside its window a queue with work is skipped; a lower-priority one gets the slot", () => {
    const o = obs({ ...pausedIdle, smartSearch: { isPaused: true, pending: 500 }, videoConversion: { isPaused: true, pending: 3 } });
    const b = blockers({ windows: [closed("smartSearch")] }, DEFAULT_PRIORITY);
    const d = decide({ observation: o, policy: policy(1), ownership: allPaused(), blockers: b });
    expect(summary(d.actions)).toEqual(["resume videoConversion (fill-slot)"]);
    expect(d.queues.find((q) => q.name === "smartSearch")!.blocks).toEqual(b.smartSearch);
  });

  test("when the window opens the queue competes by priority: it does not preempt, it takes the next free slot", () => {
    const o = obs({ ...pausedIdle, smartSearch: { isPaused: true, pending: 500 }, videoConversion: { active: 1, pending: 3 } });
    const ownership = { ...allPaused(["videoConversion"]), runningByUs: ["videoConversion"] };
    const b = blockers({ windows: [open("smartSearch")] }, DEFAULT_PRIORITY);
    expect(decide({ observation: o, policy: policy(1), ownership, blockers: b }).actions).toEqual([]);
    expect(summary(decide({ observation: o, policy: policy(2), ownership, blockers: b }).actions)).toEqual(["resume smartSearch (fill-slot)"]);
  });

  test("the ML service gone: running ML queues are paused gracefully, the rest runs on", () => {
    const o = obs({ ...pausedIdle, faceDetection: { active: 2, pending: 90 }, thumbnailGeneration: { active: 3, pending: 9 } });
    const ownership = { ...allPaused(["faceDetection", "thumbnailGeneration"]), runningByUs: ["faceDetection", "thumbnailGeneration"] };
    const b = blockers({ ml: { up: false, since: 0, urls: ["http://ml:3003"] } }, DEFAULT_PRIORITY);
    const d = decide({ observation: o, policy: policy(2), ownership, blockers: b });
    expect(summary(d.actions)).toEqual(["pause faceDetection (ml-down)"]);
  });

  test("pressure: running queues keep their slots, nothing new starts, nothing is paused", () => {
    const o = obs({ ...pausedIdle, thumbnailGeneration: { active: 3, pending: 9 }, smartSearch: { isPaused: true, pending: 50 } });
    const ownership = { ...allPaused(["thumbnailGeneration"]), runningByUs: ["thumbnailGeneration"] };
    const b = blockers({ pressure: [{ resource: "memory", value: 30, limit: 20 }] }, DEFAULT_PRIORITY);
    expect(decide({ observation: o, policy: policy(2), ownership, blockers: b }).actions).toEqual([]);
    expect(summary(decide({ observation: o, policy: policy(2), ownership }).actions)).toEqual(["resume smartSearch (fill-slot)"]);
  });

  test("a running queue with no work under pressure is still released (rule 4 is not a start)", () => {
    const o = obs({ ...pausedIdle, ocr: {} });
    const b = blockers({ pressure: [{ resource: "io", value: 90, limit: 50 }] }, DEFAULT_PRIORITY);
    expect(summary(decide({ observation: o, policy: policy(1), ownership: allPaused(["ocr"]), blockers: b }).actions)).toEqual(["pause ocr (release)"]);
  });
});

// ---- properties ----------------------------------------------------------

const blockArb: fc.Arbitrary<Block> = fc.constantFrom<Block>(
  { code: "window-closed", pause: true, detail: "outside" },
  { code: "ml-down", pause: true, detail: "ml" },
  { code: "pressure", pause: false, detail: "busy" },
);
const scenarioArb = fc.record({
  observation: fc
    .array(
      fc.record({
        isPaused: fc.boolean(),
        active: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 })),
        pending: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100 })),
      }),
      { minLength: DEFAULT_PRIORITY.length, maxLength: DEFAULT_PRIORITY.length },
    )
    .map((specs): Observation => ({
      at: 0,
      api: "queues",
      queues: DEFAULT_PRIORITY.map((name, i) => {
        const { pending, ...s } = specs[i]!;
        return snapshot(name, { ...s, waiting: s.isPaused ? 0 : pending, paused: s.isPaused ? pending : 0 });
      }),
    })),
  maxConcurrent: fc.integer({ min: 1, max: 4 }),
  blocked: fc.dictionary(fc.constantFrom(...DEFAULT_PRIORITY), fc.array(blockArb, { minLength: 1, maxLength: 2 })),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;
const run = (s: Scenario, b?: Blockers) =>
  decide({ observation: s.observation, policy: policy(s.maxConcurrent), ownership: emptyOwnership(), adoptPaused: true, ...(b ? { blockers: b } : {}) });

describe("blocker invariants over random observations", () => {
  test("a blocked queue is never resumed; one a block pauses never ends the cycle running", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const d = run(s, s.blocked);
        const after = applyActions(s.observation, d.actions);
        for (const a of d.actions) if (a.kind === "resume") expect(s.blocked[a.queue]).toBeUndefined();
        for (const q of after.queues) if (s.blocked[q.name]?.some((b) => b.pause)) expect(q.isPaused).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
  test("start-only blocks (pressure) pause exactly what would be paused without them", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const pressureOnly: Blockers = Object.fromEntries(DEFAULT_PRIORITY.map((q) => [q, [{ code: "pressure", pause: false, detail: "busy" }]]));
        const pauses = (b?: Blockers) => summary(run(s, b).actions.filter((a) => a.kind === "pause"));
        expect(pauses(pressureOnly)).toEqual(pauses());
        expect(run(s, pressureOnly).actions.every((a) => a.kind === "pause")).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
  test("the cap still holds and deciding again after the plan yields nothing", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const d = run(s, s.blocked);
        const after = applyActions(s.observation, d.actions);
        const occupied = after.queues.filter(occupiesSlot).length;
        if (d.actions.some((a) => a.kind === "resume")) expect(occupied).toBeLessThanOrEqual(s.maxConcurrent);
        const again = decide({ observation: after, policy: policy(s.maxConcurrent), ownership: d.ownership, blockers: s.blocked });
        expect(again.actions).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
