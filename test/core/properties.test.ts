// Property tests (fast-check) for the invariants of DESIGN.md §2 over random
// observations and random histories with other actors in between.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { decide, exitActions, occupiesSlot } from "../../src/core/decide.ts";
import { confirmAction } from "../../src/core/reconcile.ts";
import { DEFAULT_PRIORITY, KNOWN_QUEUES } from "../../src/core/queues.ts";
import type { WaitMemory } from "../../src/core/max-wait.ts";
import type { Observation, Ownership, Policy, QueueSnapshot } from "../../src/core/types.ts";
import { applyActions } from "../helpers/observations.ts";
import { queueArb } from "../helpers/queue-arbitrary.ts";

const RUNS = 400;

const observationArb: fc.Arbitrary<Observation> = fc
  .tuple(...KNOWN_QUEUES.map(queueArb))
  .map((queues) => ({ at: 0, api: "queues" as const, queues }));

const policyArb: fc.Arbitrary<Policy> = fc.record({
  maxConcurrent: fc.integer({ min: 1, max: 4 }),
  priority: fc.shuffledSubarray([...DEFAULT_PRIORITY], { minLength: 1 }),
  // Rule 12's standby and rule 7's MAX_WAIT, on or off.
  standby: fc.boolean(),
  maxWaitMs: fc.option(fc.integer({ min: 1_000, max: 60_000 }), { nil: null }),
});

/** Rule 7's memory: some queues have waited up to twice MAX_WAIT already; some were preempted and got their slot back. */
const memoryArb = (names: readonly string[], at: number): fc.Arbitrary<WaitMemory> =>
  fc.record({
    waitingSince: fc.dictionary(fc.constantFrom(...names), fc.integer({ min: at - 120_000, max: at })),
    preempted: fc.subarray([...names]),
    regainedAt: fc.dictionary(fc.constantFrom(...names), fc.integer({ min: at - 120_000, max: at })),
    resumedByOther: fc.subarray([...names]),
  });

/**
 * Slot-occupying managed queues, plus the managed queues standing unpaused
 * with no work (standby, or about to be released): new work there would take
 * a slot without the daemon, so the cap counts them.
 */
const couldOccupy = (o: Observation, policy: Policy) =>
  o.queues.filter((q) => policy.priority.includes(q.name) && (occupiesSlot(q) || !q.isPaused)).length;

/** Any ownership over the managed queues, consistent or not (a stale state file). */
const ownershipArb = (names: readonly string[]): fc.Arbitrary<Ownership> =>
  fc.record({
    pausedByUs: fc.subarray([...names]),
    runningByUs: fc.subarray([...names]),
    held: fc.subarray([...names]),
  });

const occupied = (o: Observation, policy: Policy) =>
  o.queues.filter((q) => policy.priority.includes(q.name) && occupiesSlot(q)).length;

const NOW = 1_000_000;
const scenarioArb = fc
  .tuple(observationArb, policyArb, fc.boolean())
  .chain(([observation, policy, adoptPaused]) =>
    fc
      .tuple(ownershipArb(policy.priority), memoryArb(policy.priority, NOW))
      .map(([ownership, memory]) => ({ observation: { ...observation, at: NOW }, policy, ownership, adoptPaused, memory })),
  );

describe("decision invariants over random observations", () => {
  test("a resume never pushes slot-occupying managed queues above N", () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const d = decide(input);
        const after = applyActions(input.observation, d.actions);
        if (d.actions.some((a) => a.kind === "resume")) {
          expect(occupied(after, input.policy)).toBeLessThanOrEqual(input.policy.maxConcurrent);
        }
        expect(occupied(after, input.policy)).toBeLessThanOrEqual(
          Math.max(input.policy.maxConcurrent, occupied(input.observation, input.policy)),
        );
        expect(d.occupiedAfter).toBe(occupied(after, input.policy));
      }),
      { numRuns: RUNS },
    );
  });

  test("with standby, a resume never leaves more queues able to take a slot than N (standby counts)", () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const d = decide(input);
        if (!d.actions.some((a) => a.kind === "resume")) return;
        expect(couldOccupy(applyActions(input.observation, d.actions), input.policy)).toBeLessThanOrEqual(input.policy.maxConcurrent);
      }),
      { numRuns: RUNS },
    );
  });

  test("MAX_WAIT never pauses facialRecognition, a queue someone else resumed, or one back in its slot for less than MAX_WAIT", () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        for (const a of decide(input).actions.filter((x) => x.reason === "max-wait")) {
          expect(input.policy.maxWaitMs).not.toBeNull();
          expect(a.queue).not.toBe("facialRecognition");
          expect(input.memory.resumedByOther).not.toContain(a.queue);
          const back = input.memory.regainedAt[a.queue];
          if (back !== undefined) expect(NOW - back).toBeGreaterThanOrEqual(input.policy.maxWaitMs!);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test("only managed queues are ever touched", () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        for (const a of decide(input).actions) expect(input.policy.priority).toContain(a.queue);
      }),
      { numRuns: RUNS },
    );
  });

  test("a held queue that is still paused is never resumed", () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const pausedHeld = input.observation.queues
          .filter((q) => q.isPaused && input.ownership.held.includes(q.name) && !input.ownership.pausedByUs.includes(q.name))
          .map((q) => q.name);
        for (const a of decide(input).actions) {
          if (a.kind === "resume") expect(pausedHeld).not.toContain(a.queue);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test("pauses come before resumes and no queue gets two actions", () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const kinds = decide(input).actions.map((a) => a.kind);
        expect(kinds.join(",")).toMatch(/^(pause,?)*(resume,?)*$/);
        const queues = decide(input).actions.map((a) => a.queue);
        expect(new Set(queues).size).toBe(queues.length);
      }),
      { numRuns: RUNS },
    );
  });

  test("deciding again right after applying a plan yields no action", () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const d = decide(input);
        const again = decide({ ...input, observation: applyActions(input.observation, d.actions), ownership: d.ownership, adoptPaused: false, memory: d.memory });
        expect(again.actions).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  test("work conservation: after the plan, a free slot means no eligible queue has pending work", () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const d = decide(input);
        const after = applyActions(input.observation, d.actions);
        if (occupied(after, input.policy) >= input.policy.maxConcurrent) return;
        const held = new Set(d.ownership.held);
        for (const q of after.queues) {
          if (!input.policy.priority.includes(q.name) || held.has(q.name)) continue;
          if (q.isPaused) expect(q.paused + q.waiting).toBe(0);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

// ---- histories: the daemon, Immich working, and a person clicking in between

type Event =
  | { kind: "work"; queue: number; jobs: number }
  | { kind: "finish"; queue: number; jobs: number }
  | { kind: "start"; queue: number }
  | { kind: "person-pause"; queue: number }
  | { kind: "person-resume"; queue: number }
  | { kind: "tick"; ms: number }
  | { kind: "daemon" };

const eventArb: fc.Arbitrary<Event> = fc.oneof(
  fc.record({ kind: fc.constant("work" as const), queue: fc.nat(), jobs: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant("finish" as const), queue: fc.nat(), jobs: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant("start" as const), queue: fc.nat() }),
  fc.record({ kind: fc.constant("person-pause" as const), queue: fc.nat() }),
  fc.record({ kind: fc.constant("person-resume" as const), queue: fc.nat() }),
  fc.record({ kind: fc.constant("tick" as const), ms: fc.integer({ min: 100, max: 30_000 }) }),
  fc.constant({ kind: "daemon" as const }),
  fc.constant({ kind: "daemon" as const }),
);

/** One step of a tiny BullMQ model: counts move the way the real server moves them. */
function applyEvent(o: Observation, e: Exclude<Event, { kind: "daemon" }>, concurrency = 3): Observation {
  if (e.kind === "tick") return { ...o, at: o.at + e.ms };
  const i = e.queue % o.queues.length;
  const queues = o.queues.map((q) => ({ ...q }));
  const q = queues[i]!;
  switch (e.kind) {
    case "work":
      if (q.isPaused) q.paused += e.jobs;
      else q.waiting += e.jobs;
      break;
    case "finish":
      q.active = Math.max(0, q.active - e.jobs);
      break;
    case "start": {
      if (q.isPaused) break;
      const n = Math.min(q.waiting, concurrency - q.active);
      if (n > 0) {
        q.waiting -= n;
        q.active += n;
      }
      break;
    }
    case "person-pause":
      if (!q.isPaused) Object.assign(q, { isPaused: true, paused: q.paused + q.waiting, waiting: 0 });
      break;
    case "person-resume":
      if (q.isPaused) Object.assign(q, { isPaused: false, waiting: q.waiting + q.paused, paused: 0 });
      break;
  }
  return { ...o, queues };
}

const idle = (): Observation => ({
  at: 0,
  api: "queues",
  queues: KNOWN_QUEUES.map((name) => ({ name, isPaused: false, active: 0, completed: 0, failed: 0, delayed: 0, waiting: 0, paused: 0 })),
});

describe("histories with other actors", () => {
  test("the daemon never resumes a queue a person paused, and never exceeds N by its own resumes (standby and MAX_WAIT on or off, at any pace)", () => {
    fc.assert(
      fc.property(policyArb, fc.array(eventArb, { minLength: 1, maxLength: 80 }), (policy, events) => {
        let world = idle();
        let ownership: Ownership = { pausedByUs: [], runningByUs: [], held: [] };
        const personPaused = new Set<string>();
        let first = true;
        // What the daemon last saw (after its own commands): a pause is a
        // person's only if it lands on a queue the daemon last saw running.
        // Before the first cycle there is no telling (no state file: paused
        // queues are taken as the daemon's, and it says so), and a queue the
        // daemon left paused that a person resumes and pauses again between
        // two looks cannot be told from one nobody touched. Both documented.
        let seen: Observation | undefined;
        let memory: WaitMemory | undefined;
        // Rule 7's no-flapping promise, checked from outside: when each queue MAX_WAIT paused got its slot back.
        const preempted = new Set<string>();
        const regained = new Map<string, number>();
        for (const e of events) {
          if (e.kind === "tick") {
            world = applyEvent(world, e);
            continue;
          }
          if (e.kind !== "daemon") {
            const name = world.queues[e.queue % world.queues.length]!.name;
            const was = world.queues.find((q) => q.name === name)!.isPaused;
            world = applyEvent(world, e);
            const seenRunning = seen?.queues.find((q) => q.name === name)?.isPaused === false;
            if (e.kind === "person-pause" && !was && seenRunning) personPaused.add(name);
            if (e.kind === "person-resume") personPaused.delete(name);
            continue;
          }
          const d = decide({ observation: world, policy, ownership, adoptPaused: first, ...(memory ? { memory } : {}) });
          first = false;
          memory = d.memory;
          for (const a of d.actions) {
            if (a.kind === "resume") expect(personPaused.has(a.queue)).toBe(false);
            if (a.reason !== "max-wait") continue;
            const back = regained.get(a.queue);
            if (back !== undefined) expect(world.at - back).toBeGreaterThanOrEqual(policy.maxWaitMs!);
            expect(a.queue).not.toBe("facialRecognition");
            preempted.add(a.queue);
          }
          for (const q of world.queues) {
            if (preempted.has(q.name) && !q.isPaused && occupiesSlot(q)) {
              preempted.delete(q.name);
              regained.set(q.name, world.at);
            }
          }
          world = applyActions(world, d.actions);
          if (d.actions.some((a) => a.kind === "resume")) {
            expect(occupied(world, policy)).toBeLessThanOrEqual(policy.maxConcurrent);
            expect(couldOccupy(world, policy)).toBeLessThanOrEqual(policy.maxConcurrent);
          }
          // Each command answered with success, as the daemon confirms them.
          ownership = d.actions.reduce(confirmAction, d.ownership);
          seen = world;
        }
      }),
      { numRuns: RUNS },
    );
  });

  test("two daemons with the same configuration against one server do not undo each other", () => {
    fc.assert(
      fc.property(policyArb, fc.array(eventArb, { minLength: 1, maxLength: 80 }), (policy, events) => {
        let world = idle();
        const owners: Ownership[] = [
          { pausedByUs: [], runningByUs: [], held: [] },
          { pausedByUs: [], runningByUs: [], held: [] },
        ];
        let turn = 0;
        const started = [false, false];
        for (const e of events) {
          if (e.kind !== "daemon" && !e.kind.startsWith("person")) {
            world = applyEvent(world, e);
            continue;
          }
          if (e.kind !== "daemon") continue;
          const me = turn++ % 2;
          const d = decide({ observation: world, policy, ownership: owners[me]!, adoptPaused: !started[me] });
          started[me] = true;
          owners[me] = d.ownership;
          world = applyActions(world, d.actions);
          // the other daemon, seeing the same world right after, has nothing to undo
          const other = 1 - me;
          if (!started[other]) continue;
          const reply = decide({ observation: world, policy, ownership: owners[other]! });
          owners[other] = reply.ownership;
          for (const a of reply.actions) {
            const mine = d.actions.find((x) => x.queue === a.queue);
            if (mine) expect(mine.kind).toBe(a.kind);
          }
          world = applyActions(world, reply.actions);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("answers that leave queues out (issue 16 item 1)", () => {
  // The daemon alone against a server (no person), but some of its looks see
  // only part of the list. Whatever it was shown, it never takes a pause of
  // its own for someone else's, and on exit it resumes every queue it paused.
  const partialEventArb = fc.oneof(
    fc.record({ kind: fc.constant("work" as const), queue: fc.nat(), jobs: fc.integer({ min: 1, max: 30 }) }),
    fc.record({ kind: fc.constant("finish" as const), queue: fc.nat(), jobs: fc.integer({ min: 1, max: 30 }) }),
    fc.record({ kind: fc.constant("start" as const), queue: fc.nat() }),
    fc.record({ kind: fc.constant("daemon" as const), keep: fc.constant(null) }),
    // A partial answer: only the queues the mask keeps (possibly none).
    fc.record({ kind: fc.constant("daemon" as const), keep: fc.array(fc.boolean(), { minLength: KNOWN_QUEUES.length, maxLength: KNOWN_QUEUES.length }) }),
  );

  test("a queue missing from an answer keeps what the daemon knew of it: no pause of its own is ever held, and the exit resumes them all", () => {
    fc.assert(
      fc.property(policyArb, fc.array(partialEventArb, { minLength: 1, maxLength: 80 }), (policy, events) => {
        let world = idle();
        let ownership: Ownership = { pausedByUs: [], runningByUs: [], held: [] };
        let first = true;
        for (const e of events) {
          if (e.kind !== "daemon") {
            world = applyEvent(world, e);
            continue;
          }
          const shown = e.keep ? { ...world, queues: world.queues.filter((_, i) => e.keep![i]) } : world;
          const d = decide({ observation: shown, policy, ownership, adoptPaused: first });
          first = false;
          // Only what the answer showed is acted on.
          for (const a of d.actions) expect(shown.queues.some((q) => q.name === a.queue)).toBe(true);
          // What the daemon knew of a queue the answer left out is kept.
          for (const list of ["pausedByUs", "runningByUs", "held"] as const) {
            for (const q of ownership[list]) if (!shown.queues.some((s) => s.name === q)) expect(d.ownership[list]).toContain(q);
          }
          expect(d.ownership.held).toEqual([]);
          world = applyActions(world, d.actions);
          ownership = d.actions.reduce(confirmAction, d.ownership);
        }
        // Nobody else touched anything: every paused managed queue is the daemon's, and the exit resumes it,
        // whether its last look saw everything or nothing.
        const paused = world.queues.filter((q) => q.isPaused && policy.priority.includes(q.name)).map((q) => q.name).sort();
        expect(exitActions(world, ownership).map((a) => a.queue).sort()).toEqual(paused);
        expect(exitActions({ ...world, queues: [] }, ownership).map((a) => a.queue).sort()).toEqual(expect.arrayContaining(paused));
      }),
      { numRuns: RUNS },
    );
  });
});
