// A quiet look (src/daemon/quiet.ts) reuses the previous decision instead of
// deciding afresh. That is only sound if both give the same result: checked
// here on random histories that go quiet (work ends, the daemon's actions
// land, time moves by random steps, blockers stay or change), against a
// CycleBook that always decides afresh.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { Block, Blockers } from "../../src/core/blockers.ts";
import { DEFAULT_PRIORITY, KNOWN_QUEUES } from "../../src/core/queues.ts";
import type { Observation, Ownership, Policy, QueueSnapshot } from "../../src/core/types.ts";
import { CycleBook } from "../../src/daemon/cycle-book.ts";
import { isQuietRepeat } from "../../src/daemon/quiet.ts";
import { applyActions, obs } from "../helpers/observations.ts";
import { queueArb } from "../helpers/queue-arbitrary.ts";

const policyArb: fc.Arbitrary<Policy> = fc.record({
  maxConcurrent: fc.integer({ min: 1, max: 4 }),
  priority: fc.shuffledSubarray([...DEFAULT_PRIORITY], { minLength: 1 }),
  standby: fc.boolean(),
  maxWaitMs: fc.option(fc.integer({ min: 1_000, max: 60_000 }), { nil: null }),
});

const blockArb: fc.Arbitrary<Block> = fc.constantFrom<Block>(
  { code: "window-closed", pause: true, detail: "outside its window" },
  { code: "ml-down", pause: true, detail: "the ML service is down" },
  { code: "pressure", pause: false, detail: "the host is busy" },
);

/** One look's change: time passes; maybe work ends on the managed queues, or arrives on one; maybe the blockers change. */
const stepArb = fc.record({
  dt: fc.oneof(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 1_000, max: 200_000 })),
  workEnds: fc.boolean(),
  arrives: fc.option(fc.record({ queue: fc.constantFrom(...DEFAULT_PRIORITY), jobs: fc.integer({ min: 1, max: 50 }) }), { nil: undefined, freq: 3 }),
  newBlockers: fc.option(fc.dictionary(fc.constantFrom(...DEFAULT_PRIORITY), fc.array(blockArb, { minLength: 1, maxLength: 2 }), { maxKeys: 3 }), { nil: undefined, freq: 4 }),
});

const historyArb = fc.record({
  queues: fc.tuple(...KNOWN_QUEUES.map(queueArb)),
  policy: policyArb,
  blockers: fc.option(fc.dictionary(fc.constantFrom(...DEFAULT_PRIORITY), fc.array(blockArb, { minLength: 1, maxLength: 2 }), { maxKeys: 3 }), { nil: undefined }),
  steps: fc.array(stepArb, { minLength: 3, maxLength: 14 }),
});

const noManagedWork = (o: Observation, managed: readonly string[]): Observation => ({
  ...o,
  queues: o.queues.map((q) => (managed.includes(q.name) ? { ...q, active: 0, waiting: 0, paused: 0 } : q)),
});

/** Uploads land on `queue`: waiting while it runs, counted under paused while paused. */
const withWork = (o: Observation, queue: string, jobs: number): Observation => ({
  ...o,
  queues: o.queues.map((q) => (q.name !== queue ? q : q.isPaused ? { ...q, paused: q.paused + jobs } : { ...q, waiting: q.waiting + jobs })),
});

describe("quiet looks", () => {
  test("reusing the previous decision gives exactly what deciding afresh gives, also at the first look after (work arriving)", () => {
    let reused = 0;
    let afterQuiet = 0; // looks decided afresh right after a reused one

    fc.assert(
      fc.property(historyArb, ({ queues, policy, blockers, steps }) => {
        const reusing = new CycleBook(policy, 10_000, 1_000);
        const afresh = new CycleBook(policy, 10_000, 1_000, false);
        let observation: Observation = { at: 1_000_000, api: "queues", queues: [...queues] };
        let ownership: Ownership = { pausedByUs: [], runningByUs: [], held: [] };
        let blocked: Blockers | undefined = blockers;
        let adoptPaused = true;
        let wasQuiet = false;
        for (const step of steps) {
          const quietBefore = reusing.quietLooks;
          const a = reusing.decide(observation, ownership, adoptPaused, blocked);
          const quietNow = reusing.quietLooks > quietBefore;
          if (wasQuiet && !quietNow) afterQuiet++;
          wasQuiet = quietNow;
          const b = afresh.decide(observation, ownership, adoptPaused, blocked);
          expect(a).toEqual(b);
          expect(reusing.latest).toEqual(afresh.latest!);
          expect(reusing.drainRates()).toEqual(afresh.drainRates());
          adoptPaused = false;
          ownership = a.ownership;
          // The server applies the daemon's actions; time passes; work may end.
          let next = applyActions(observation, a.actions);
          if (step.workEnds) next = noManagedWork(next, policy.priority);
          // New work after quiet looks: the first look that sees it must be decided as if none had been skipped.
          if (step.arrives) next = withWork(next, step.arrives.queue, step.arrives.jobs);
          observation = { ...next, at: observation.at + step.dt };
          if (step.newBlockers !== undefined) blocked = Object.keys(step.newBlockers).length ? step.newBlockers : undefined;
        }
        reused += reusing.quietLooks;
      }),
      { numRuns: 400 },
    );
    // The histories do reach quiet looks (the test would prove nothing otherwise).
    expect(reused).toBeGreaterThan(30);
    expect(afterQuiet).toBeGreaterThan(10);
  });

  test("an idle server seen again is quiet; any change is not", () => {
    const policy: Policy = { maxConcurrent: 1, priority: DEFAULT_PRIORITY, standby: true, maxWaitMs: 600_000 };
    const book = new CycleBook(policy, 10_000, 1_000);
    const idle = obs(Object.fromEntries(KNOWN_QUEUES.map((q) => [q, { isPaused: q !== "metadataExtraction" }])), 0);
    const first = book.decide(idle, { pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "metadataExtraction"), runningByUs: ["metadataExtraction"], held: [] }, false);
    expect(first.actions).toEqual([]);
    const before = { observation: idle, decision: first };
    const base = { before, blockedBefore: undefined, ownership: first.ownership, blocked: undefined, managed: DEFAULT_PRIORITY };
    expect(isQuietRepeat({ ...base, observation: { ...idle, at: 10_000 } })).toBe(true);
    const changed = (f: (q: QueueSnapshot) => QueueSnapshot) => ({ ...idle, queues: idle.queues.map((q) => (q.name === "thumbnailGeneration" ? f(q) : q)) });
    expect(isQuietRepeat({ ...base, observation: changed((q) => ({ ...q, waiting: 1 })) })).toBe(false);
    expect(isQuietRepeat({ ...base, observation: changed((q) => ({ ...q, isPaused: false })) })).toBe(false);
    expect(isQuietRepeat({ ...base, observation: changed((q) => ({ ...q, delayed: 1 })) })).toBe(false);
    expect(isQuietRepeat({ ...base, observation: { ...idle, api: "jobs" } })).toBe(false);
    expect(isQuietRepeat({ ...base, observation: idle, ownership: { ...first.ownership, held: ["ocr"] } })).toBe(false);
    expect(isQuietRepeat({ ...base, observation: idle, blocked: { ocr: [{ code: "pressure", pause: false, detail: "busy" }] } })).toBe(false);
  });
});
