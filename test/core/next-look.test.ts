// Table tests for rule 12's next look (src/core/next-look.ts).
import { describe, expect, test } from "bun:test";
import { decide } from "../../src/core/decide.ts";
import { updateDrain, type DrainState } from "../../src/core/eta.ts";
import { nextLook } from "../../src/core/next-look.ts";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { emptyOwnership, type Observation, type Ownership } from "../../src/core/types.ts";
import { obs } from "../helpers/observations.ts";

const policy = { maxConcurrent: 1, priority: DEFAULT_PRIORITY, standby: true };
const allPaused = Object.fromEntries(DEFAULT_PRIORITY.map((q) => [q, { isPaused: true }]));
const ours = (running: string[]): Ownership => ({
  ...emptyOwnership(),
  pausedByUs: DEFAULT_PRIORITY.filter((q) => !running.includes(q)),
  runningByUs: running,
});

function look(observation: Observation, o: { previous?: Observation; drain?: DrainState; ownership?: Ownership; minMs?: number } = {}) {
  const decision = decide({ observation, policy, ownership: o.ownership ?? ours(["metadataExtraction"]) });
  return nextLook({
    ...(o.previous ? { previous: o.previous } : {}),
    observation,
    decision,
    drain: o.drain ?? {},
    priority: DEFAULT_PRIORITY,
    maxConcurrent: 1,
    pollMs: 10_000,
    minMs: o.minMs ?? 1_000,
  });
}

/** A drain state in which `queue` was measured over four looks finishing `perSecond` jobs a second. */
function measured(queue: string, perSecond: number): DrainState {
  let state: DrainState = {};
  for (let i = 0; i < 4; i++) {
    const o = obs({ ...allPaused, [queue]: { active: 1, pending: 99_999 - i * perSecond * 10 } }, i * 10_000);
    state = updateDrain(state, o, DEFAULT_PRIORITY);
  }
  return state;
}

describe("nextLook", () => {
  test("idle (standby in place, nothing has work): POLL_INTERVAL", () => {
    const idle = obs({ ...allPaused, metadataExtraction: {} });
    expect(look(idle, { previous: idle })).toEqual({ ms: 10_000, why: "pace" });
  });

  test("a resume just sent: the floor", () => {
    const o = obs({ ...allPaused, thumbnailGeneration: { isPaused: true, pending: 5 } });
    expect(look(o, { ownership: ours([]) })).toEqual({ ms: 1_000, why: "resumed" });
  });

  test("a slot holder with only active jobs left: the floor", () => {
    const o = obs({ ...allPaused, thumbnailGeneration: { active: 3 } });
    expect(look(o, { ownership: ours(["thumbnailGeneration"]) })).toEqual({ ms: 1_000, why: "only-active-left" });
  });

  test("a paused holder still draining (MAX_WAIT paused it): the floor, its slot frees within a job", () => {
    const o = obs({ ...allPaused, smartSearch: { isPaused: true, active: 2, pending: 5_000 }, metadataExtraction: { isPaused: true, pending: 3 } });
    expect(look(o, { ownership: ours([]) })).toEqual({ ms: 1_000, why: "only-active-left" });
  });

  test("a holder this very decision pauses (MAX_WAIT): the floor, as it drains", () => {
    const MIN = 60_000;
    const policyMw = { ...policy, maxWaitMs: 10 * MIN };
    const at = (t: number) => obs({ ...allPaused, smartSearch: { active: 2, pending: 5_000 }, metadataExtraction: { isPaused: true, pending: 3 } }, t);
    const first = decide({ observation: at(0), policy: policyMw, ownership: ours(["smartSearch"]) });
    const observation = at(11 * MIN);
    const decision = decide({ observation, policy: policyMw, ownership: first.ownership, memory: first.memory });
    expect(decision.actions.map((a) => a.reason)).toEqual(["max-wait"]);
    const r = nextLook({ observation, decision, drain: {}, priority: DEFAULT_PRIORITY, maxConcurrent: 1, pollMs: 10_000, minMs: 1_000 });
    expect(r).toEqual({ ms: 1_000, why: "only-active-left" });
  });

  test("a holder whose last pending job starts before the next poll at its measured rate: then", () => {
    const o = obs({ ...allPaused, thumbnailGeneration: { active: 2, pending: 10 } });
    const r = look(o, { ownership: ours(["thumbnailGeneration"]), drain: measured("thumbnailGeneration", 3) });
    expect(r.why).toBe("drains-before-poll");
    expect(r.ms).toBeCloseTo(3_333, -1); // its 10 pending jobs at 3 a second: then only active ones are left
  });

  test("a running holder whose rate is not measured yet (it just started): the floor, to measure it", () => {
    const o = obs({ ...allPaused, thumbnailGeneration: { active: 2, pending: 10 } });
    expect(look(o, { ownership: ours(["thumbnailGeneration"]) })).toEqual({ ms: 1_000, why: "measuring" });
  });

  test("a holder that takes longer than a poll: POLL_INTERVAL", () => {
    const o = obs({ ...allPaused, smartSearch: { active: 2, pending: 5_000 } });
    expect(look(o, { ownership: ours(["smartSearch"]), drain: measured("smartSearch", 3) })).toEqual({ ms: 10_000, why: "pace" });
  });

  test("never below the floor, and a floor above POLL_INTERVAL is POLL_INTERVAL", () => {
    const o = obs({ ...allPaused, thumbnailGeneration: { active: 2, pending: 10 } });
    expect(look(o, { ownership: ours(["thumbnailGeneration"]), drain: measured("thumbnailGeneration", 1_000) }).ms).toBe(1_000);
    expect(look(o, { ownership: ours(["thumbnailGeneration"]), minMs: 60_000 }).ms).toBe(10_000);
  });

  test("a free slot while work arrives (a held queue fills up): the floor", () => {
    const before = obs({ ...allPaused, metadataExtraction: {}, smartSearch: { isPaused: true } });
    const after = obs({ ...allPaused, metadataExtraction: {}, smartSearch: { isPaused: true, pending: 30 } }, 1_000);
    const ownership = { ...ours(["metadataExtraction"]), held: ["smartSearch"], pausedByUs: ours(["metadataExtraction"]).pausedByUs.filter((q) => q !== "smartSearch") };
    expect(look(after, { previous: before, ownership })).toEqual({ ms: 1_000, why: "work-arriving" });
  });
});
