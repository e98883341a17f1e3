// Names from outside are data, never keys of plain objects (issue 16 item 4).
// A queue the server reports, or the configuration names, may be called
// `constructor`, `__proto__` or `toString`: the whole decision (blockers,
// rule 7's memory, drain rates and ETAs, windows) must treat it exactly as it
// treats `someQueue`. The property: renaming every such name to a plain one
// before deciding gives the same decision, renamed; and the decision is plain
// data (structuredClone and JSON keep it whole: no function crept in).
import { expect, test } from "bun:test";
import fc from "fast-check";
import { blockers, type Gates } from "../../src/core/blockers.ts";
import { decide } from "../../src/core/decide.ts";
import { estimate, updateDrain } from "../../src/core/eta.ts";
import type { WaitMemory } from "../../src/core/max-wait.ts";
import { KNOWN_QUEUES } from "../../src/core/queues.ts";
import type { Decision, Observation, Ownership, Policy } from "../../src/core/types.ts";
import { parseWindows } from "../../src/core/window-syntax.ts";
import { type Schedule, windowStates } from "../../src/core/windows.ts";
import { fuzzQueueNames, observationOf, PROTOTYPE_NAMES } from "../helpers/queue-arbitrary.ts";

const NAMES = fuzzQueueNames(KNOWN_QUEUES);
const PROTO = new Set<string>(PROTOTYPE_NAMES);
/** A prototype name made plain; any other name as it is. */
const plain = (n: string) => (PROTO.has(n) ? `plain_${n.replace(/_/g, "")}` : n);
const NOW = 1_000_000;

const scenario = fc
  .tuple(observationOf(NAMES, NOW), fc.shuffledSubarray(NAMES, { minLength: 1 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.boolean())
  .chain(([observation, priority, maxConcurrent, standby, adoptPaused]) =>
    fc.record({
      observation: fc.constant(observation as Observation),
      policy: fc.record({
        maxConcurrent: fc.constant(maxConcurrent),
        priority: fc.constant(priority),
        standby: fc.constant(standby),
        maxWaitMs: fc.option(fc.integer({ min: 1_000, max: 60_000 }), { nil: null }),
      }) as fc.Arbitrary<Policy>,
      adoptPaused: fc.constant(adoptPaused),
      ownership: fc.record({ pausedByUs: fc.subarray(priority), runningByUs: fc.subarray(priority), held: fc.subarray(priority) }) as fc.Arbitrary<Ownership>,
      closed: fc.subarray(priority),
      mlUp: fc.option(fc.boolean(), { nil: undefined }),
      pressure: fc.boolean(),
      waiting: fc.array(fc.tuple(fc.constantFrom(...priority), fc.integer({ min: NOW - 120_000, max: NOW })), { maxLength: 6 }),
      preempted: fc.subarray(priority),
    }),
  );
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** The scenario with every name passed through `f`. */
function renamed(s: Scenario, f: (n: string) => string): Scenario {
  const l = (xs: readonly string[]) => xs.map(f);
  return {
    ...s,
    observation: { ...s.observation, queues: s.observation.queues.map((q) => ({ ...q, name: f(q.name) })) },
    policy: { ...s.policy, priority: l(s.policy.priority) },
    ownership: { pausedByUs: l(s.ownership.pausedByUs), runningByUs: l(s.ownership.runningByUs), held: l(s.ownership.held) },
    closed: l(s.closed),
    waiting: s.waiting.map(([q, t]) => [f(q), t] as [string, number]),
    preempted: l(s.preempted),
  };
}

function run(s: Scenario): { decision: Decision; second: Decision; eta: ReturnType<typeof estimate> } {
  const gates: Gates = {
    windows: s.closed.map((queue) => ({ queue, window: "22:00-06:00", zone: "UTC", open: false })),
    ...(s.mlUp === undefined ? {} : { ml: { up: s.mlUp, since: 0, urls: ["http://ml:3003"] } }),
    ...(s.pressure ? { pressure: [{ resource: "cpu" as const, value: 90, limit: 50 }] } : {}),
  };
  const blocked = blockers(gates, s.policy.priority);
  // Rule 7's memory as a state file or a previous decision could hold it: own keys, `__proto__` among them.
  const memory: WaitMemory = {
    waitingSince: Object.fromEntries(s.waiting),
    preempted: s.preempted,
    regainedAt: Object.fromEntries(s.waiting.map(([q, t]) => [q, t - 1])),
    resumedByOther: [],
  };
  const input = { observation: s.observation, policy: s.policy, ownership: s.ownership, adoptPaused: s.adoptPaused, blockers: blocked, memory };
  const decision = decide(input);
  const later = { ...s.observation, at: NOW + 30_000 };
  const second = decide({ ...input, observation: later, ownership: decision.ownership, memory: decision.memory, adoptPaused: false });
  const drain = updateDrain(updateDrain({}, s.observation, s.policy.priority), later, s.policy.priority);
  return { decision, second, eta: estimate(drain, later, s.policy.priority, s.policy.maxConcurrent, blocked) };
}

/** What a decision says, with names passed through `f` (the words of details and messages left out). */
function shape(d: Decision, f: (n: string) => string) {
  const keys = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => [f(k), v]).sort();
  return {
    actions: d.actions.map((a) => [f(a.queue), a.kind, a.reason]),
    notices: d.notices.map((n) => [n.code, n.queue.split(",").map(f).join(","), n.level]),
    ownership: [d.ownership.pausedByUs.map(f).sort(), d.ownership.runningByUs.map(f).sort(), d.ownership.held.map(f).sort()],
    occupied: [d.occupiedBefore, d.occupiedAfter],
    queues: d.queues.map((v) => ({ ...v, name: f(v.name), blocks: v.blocks?.map((b) => b.code) })),
    standby: d.standby.map(f),
    memory: [keys(d.memory.waitingSince), keys(d.memory.regainedAt), d.memory.preempted.map(f).sort(), d.memory.resumedByOther.map(f).sort()],
  };
}

test("a queue named like a key of Object.prototype is decided exactly as one with a plain name, and the decision stays plain data", () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const hostile = run(s);
      const tame = run(renamed(s, plain));
      for (const k of ["decision", "second"] as const) {
        expect(shape(hostile[k], plain)).toEqual(shape(tame[k], (n) => n));
        // Plain data: the status server and the notifier copy it (structuredClone) and serve it (JSON).
        expect(() => structuredClone(hostile[k])).not.toThrow();
        expect(JSON.parse(JSON.stringify(hostile[k].queues))).toEqual(hostile[k].queues);
      }
      const eta = (e: typeof hostile.eta, f: (n: string) => string) => ({ ...e, queues: e.queues.map((q) => ({ ...q, name: f(q.name) })), unknown: e.unknown.map(f), waiting: e.waiting.map(f) });
      expect(eta(hostile.eta, plain)).toEqual(eta(tame.eta, (n) => n));
    }),
    { numRuns: 1_000 },
  );
});

test("WINDOWS naming such queues, groups and days: a schedule or its problems, the same as for plain names; never a throw or a hang", () => {
  const word = fc.constantFrom(...NAMES, "ml", "Mon", "constructor-Mon", "Mon-__proto__", "toString,Sat");
  const entry = fc
    .tuple(fc.array(word, { minLength: 1, maxLength: 3 }), fc.option(fc.constantFrom("Mon-Fri", "Sat,Sun", "valueOf", "constructor-Mon", "hasOwnProperty"), { nil: undefined }))
    .map(([queues, days]) => `${queues.join(",")}=${days ? `${days} ` : ""}22:00-06:00`);
  fc.assert(
    fc.property(fc.array(entry, { minLength: 1, maxLength: 4 }), fc.shuffledSubarray(NAMES, { minLength: 1 }), (entries, managed) => {
      const hostile = parseWindows(entries.join("; "), managed);
      const tame = parseWindows(entries.map((e) => e.replace(/[A-Za-z_]+/g, (w) => (NAMES.includes(w) ? plain(w) : w))).join("; "), managed.map(plain));
      expect(hostile.ok).toBe(tame.ok);
      if (!hostile.ok || !tame.ok) return;
      const named = Object.entries(hostile.windows).map(([q, w]) => [plain(q), w]);
      expect(named).toEqual(Object.entries(tame.windows));
      const schedule: Schedule = { zone: "UTC", windows: hostile.windows };
      const states = windowStates(schedule, NOW);
      expect(states.map((w) => plain(w.queue)).sort()).toEqual(Object.keys(tame.windows).sort());
    }),
    { numRuns: 500 },
  );
});

test("found by the fuzz: a window for a queue named __proto__ or constructor is kept, and a day named constructor is a problem, not a hang", () => {
  const managed = ["__proto__", "constructor", "sidecar"];
  const r = parseWindows("__proto__,constructor=01:00-02:00; sidecar=constructor-Mon 01:00-02:00", managed);
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.problems).toEqual([`"constructor-Mon" is not a day or a range of days (Mon, Tue, Wed, Thu, Fri, Sat, Sun; e.g. Mon-Fri or Sat,Sun)`]);
  const ok = parseWindows("__proto__,constructor=01:00-02:00; toString=Sat 01:00-02:00", [...managed, "toString"]);
  expect(ok.ok).toBe(true);
  if (ok.ok) expect(Object.keys(ok.windows).sort()).toEqual(["__proto__", "constructor", "toString"]);
  expect(parseWindows("constructor=01:00-02:00", ["sidecar"]).ok).toBe(false);
});
