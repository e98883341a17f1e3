// Property tests (fast-check) for rule 15: N and every concurrency stay within
// their bounds whatever the pressure does; raises only on a settle time measured
// under load (the queue running, work waiting); a lowered N resumes nothing; and
// whatever the daemon wrote and people changed in between, the restore leaves
// every queue at the owner's value or at a person's.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type AutoCapState, concurrencyTargets, controlAutoCap, NOW, SETTLE_MS, startingAutoCap, type TunableQueue } from "../../src/core/auto-cap.ts";
import { planRestore, planWrite, type SystemConfig, type TuningRecord } from "../../src/core/concurrency-config.ts";
import { decide, occupiesSlot } from "../../src/core/decide.ts";
import { DEFAULT_PRIORITY, KNOWN_QUEUES } from "../../src/core/queues.ts";
import type { Observation, Ownership } from "../../src/core/types.ts";
import { queueArb } from "../helpers/queue-arbitrary.ts";

const RUNS = 300;
const TUNED = ["metadataExtraction", "thumbnailGeneration", "smartSearch", "faceDetection"];

const rangeArb = fc.integer({ min: 1, max: 5 }).chain((min) => fc.integer({ min, max: min + 4 }).map((max) => ({ min, max })));
const lookArb = fc.record({
  // Lost, calm, around the target, far above it.
  cpu: fc.option(fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constantFrom(0, 30, 40, 60, 100)), { nil: undefined }),
  stepMs: fc.integer({ min: 500, max: 120_000 }),
  workWaits: fc.boolean(),
  running: fc.subarray(TUNED),
  /** A person changed the owner's value of a queue (or nothing). */
  owner: fc.option(fc.tuple(fc.constantFrom(...TUNED), fc.integer({ min: 1, max: 8 })), { nil: undefined }),
});

describe("the controller's bounds", () => {
  test("N stays within its range and each concurrency within 1 and the owner's value, whatever the pressure and the time do", () => {
    fc.assert(
      fc.property(rangeArb, fc.boolean(), fc.array(lookArb, { minLength: 1, maxLength: 120 }), (range, tune, looks) => {
        let state: AutoCapState = startingAutoCap(range);
        const owners: Record<string, number> = { metadataExtraction: 5, thumbnailGeneration: 3, smartSearch: 2, faceDetection: 2 };
        let now = 0;
        // Since when each queue has run at every look, and work has waited at every look.
        const runningSince: Record<string, number> = {};
        let waitsSince: number | undefined;
        for (const l of looks) {
          now += l.stepMs;
          for (const q of TUNED) {
            if (l.running.includes(q)) runningSince[q] ??= now;
            else delete runningSince[q];
          }
          waitsSince = l.workWaits ? (waitsSince ?? now) : undefined;
          if (l.owner) owners[l.owner[0]] = l.owner[1];
          const tunable: TunableQueue[] = TUNED.map((name) => ({ name, owner: owners[name]!, running: l.running.includes(name) }));
          const before = state;
          const r = controlAutoCap({ state, settings: { range, target: { cpu: 40 }, tune }, now, pressure: l.cpu === undefined ? undefined : { cpu: l.cpu }, workWaits: l.workWaits, tunable });
          state = r.state;
          expect(state.n).toBeGreaterThanOrEqual(range.min);
          expect(state.n).toBeLessThanOrEqual(range.max);
          for (const [q, c] of Object.entries(concurrencyTargets(state, tunable))) {
            expect(c).toBeGreaterThanOrEqual(1);
            expect(c).toBeLessThanOrEqual(owners[q]!);
          }
          if (!tune) expect(state.concurrency).toEqual({});
          // A lost source never raises anything.
          if (l.cpu === undefined) {
            expect(state.n).toBe(range.min);
            expect(r.changes.every((c) => c.direction === "down")).toBe(true);
          }
          // At most one step up per look; and never up and down in one look.
          expect(r.changes.filter((c) => c.direction === "up").length).toBeLessThanOrEqual(1);
          expect(new Set(r.changes.map((c) => c.direction)).size).toBeLessThanOrEqual(1);
          // Raises only after a settle time under the target.
          if (r.changes.some((c) => c.direction === "up")) expect(l.cpu!).toBeLessThanOrEqual(30);
          if (r.changes.some((c) => c.what === "n" && c.direction === "up")) expect(state.n).toBe(before.n + 1);
          // The settle time's evidence is measured under load: a queue is raised only after
          // running for it at every look, N only after work waited for it at every look.
          for (const c of r.changes.filter((x) => x.direction === "up")) {
            if (c.what === "concurrency") expect(now - runningSince[c.queue!]!).toBeGreaterThanOrEqual(SETTLE_MS);
            else expect(now - waitsSince!).toBeGreaterThanOrEqual(SETTLE_MS);
          }
          // At twice the target or more, a concurrency lowering goes straight to 1.
          if (l.cpu !== undefined && l.cpu >= NOW * 40) for (const c of r.changes.filter((x) => x.what === "concurrency")) expect(c.to).toBe(1);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

const observationArb: fc.Arbitrary<Observation> = fc.tuple(...KNOWN_QUEUES.map(queueArb)).map((queues) => ({ at: 0, api: "queues" as const, queues }));
const ownershipArb = (names: readonly string[]): fc.Arbitrary<Ownership> =>
  fc.record({ pausedByUs: fc.subarray([...names]), runningByUs: fc.subarray([...names]), held: fc.subarray([...names]) });

describe("a lowered N in decide()", () => {
  test("when the new N is at most the slots occupied, nothing is resumed and the holders kept are at most N plus those draining", () => {
    fc.assert(
      fc.property(observationArb, ownershipArb(DEFAULT_PRIORITY), fc.integer({ min: 1, max: 4 }), (observation, ownership, n) => {
        const managed = observation.queues.filter((q) => DEFAULT_PRIORITY.includes(q.name as never));
        const occupied = managed.filter(occupiesSlot).length;
        fc.pre(occupied >= n);
        const d = decide({ observation, policy: { maxConcurrent: n, priority: DEFAULT_PRIORITY, standby: true }, ownership });
        expect(d.actions.filter((a) => a.kind === "resume")).toEqual([]);
        // Every holder beyond N is paused (or already paused and draining).
        const paused = new Set(d.actions.filter((a) => a.kind === "pause").map((a) => a.queue));
        const unpausedHolders = managed.filter((q) => occupiesSlot(q) && !q.isPaused && !paused.has(q.name));
        expect(unpausedHolders.length).toBeLessThanOrEqual(n);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("the owner's values come back", () => {
  type Step = { kind: "daemon"; targets: Record<string, number> } | { kind: "person"; queue: string; value: number } | { kind: "other" };
  const stepArb: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant("daemon" as const), targets: fc.dictionary(fc.constantFrom(...TUNED), fc.integer({ min: 1, max: 8 })) }),
    fc.record({ kind: fc.constant("person" as const), queue: fc.constantFrom(...TUNED, "backgroundTask"), value: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant("other" as const) }),
  );

  test("after any mix of the daemon's writes, people's changes and other edits, the restore leaves each queue at the owner's value or at the last value a person set", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 40 }), (steps) => {
        const original: Record<string, number> = { metadataExtraction: 5, thumbnailGeneration: 3, smartSearch: 2, faceDetection: 2, backgroundTask: 5 };
        let server: SystemConfig = { ffmpeg: { crf: 23 }, job: Object.fromEntries(Object.entries(original).map(([q, c]) => [q, { concurrency: c, extra: q }])) };
        const personSet: Record<string, number> = {};
        let record: TuningRecord | undefined;
        let previous: SystemConfig | undefined;
        const leftAlone = new Set<string>();
        let crf = 23;
        for (const s of steps) {
          if (s.kind === "person") {
            // Setting the value already there changes nothing anyone could see (and Immich stores nothing new).
            if (server.job[s.queue]!.concurrency === s.value) continue;
            server = { ...server, job: { ...server.job, [s.queue]: { ...server.job[s.queue]!, concurrency: s.value } } };
            personSet[s.queue] = s.value;
          } else if (s.kind === "other") {
            server = { ...server, ffmpeg: { crf: ++crf } };
          } else {
            const p = planWrite({ read: server, ...(previous ? { previous } : {}), ...(record ? { record } : {}), leftAlone: [...leftAlone], targets: s.targets });
            previous = server;
            record = p.record;
            for (const c of p.personChanged) leftAlone.add(c.queue);
            if (p.write) {
              // Only tuned concurrencies differ from what was read.
              for (const [q, v] of Object.entries(p.write.job)) {
                if (v.concurrency !== server.job[q]!.concurrency) expect(TUNED).toContain(q);
                expect({ ...v, concurrency: 0 }).toEqual({ ...server.job[q]!, concurrency: 0 });
              }
              expect(p.write.ffmpeg).toEqual(server.ffmpeg);
              server = p.write;
              previous = server;
            }
          }
        }
        // What each queue must end at: a person's value the daemon saw (or can see now: it differs from the
        // daemon's own), else the owner's value (the baseline). A person who set a value and then put back
        // the daemon's own between two looks changed nothing anyone can tell.
        const want: Record<string, number> = {};
        for (const q of Object.keys(original)) {
          const now = server.job[q]!.concurrency;
          const ours = record?.expected[q];
          if (leftAlone.has(q) || (ours !== undefined && now !== ours) || !TUNED.includes(q)) want[q] = now;
          else want[q] = record?.baseline[q] ?? now;
        }
        if (record) {
          const r = planRestore(server, record);
          if (r.write) server = r.write;
        }
        for (const [q, c] of Object.entries(want)) expect(server.job[q]!.concurrency).toBe(c);
        // A queue no person touched is back at its original value, whatever the daemon wrote.
        for (const [q, c] of Object.entries(original)) if (personSet[q] === undefined) expect(server.job[q]!.concurrency).toBe(c);
        // And a value a person set last, and the daemon saw, is never undone.
        for (const [q, v] of Object.entries(personSet)) if (leftAlone.has(q)) expect(server.job[q]!.concurrency).toBe(v);
      }),
      { numRuns: RUNS },
    );
  });
});
