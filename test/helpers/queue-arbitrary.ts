// A random queue as Immich reports it, for the property tests: paused or
// not, some active jobs or none, pending work counted under `waiting` while
// it runs and under `paused` while paused (BullMQ), a few delayed and failed.
import fc from "fast-check";
import type { QueueSnapshot } from "../../src/core/types.ts";

export const queueArb = (name: string): fc.Arbitrary<QueueSnapshot> =>
  fc
    .record({
      isPaused: fc.boolean(),
      active: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 })),
      pending: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 200 })),
      delayed: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 })),
      failed: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 })),
    })
    .map(({ isPaused, active, pending, delayed, failed }) => ({
      name,
      isPaused,
      active,
      completed: 0,
      failed,
      delayed,
      waiting: isPaused ? 0 : pending,
      paused: isPaused ? pending : 0,
    }));

/**
 * Names that are keys of every plain object (Object.prototype's own), which a
 * hostile or odd server may report and a configuration may name (issue 16
 * item 4): everywhere a name is a key they must be data like any other.
 */
export const PROTOTYPE_NAMES = ["constructor", "toString", "hasOwnProperty", "valueOf", "__proto__", "__defineGetter__", "isPrototypeOf", "toLocaleString", "propertyIsEnumerable"] as const;

/** Queue names for the fuzz: Immich's, the prototype's and a couple of plain unknown ones. */
export const fuzzQueueNames = (known: readonly string[]): string[] => [...known, ...PROTOTYPE_NAMES, "someNewQueue"];

/** An observation of some of `names` (each at most once, in a random order). */
export const observationOf = (names: readonly string[], at = 0) =>
  fc
    .shuffledSubarray([...names], { minLength: 1 })
    .chain((picked) => fc.tuple(...picked.map(queueArb)))
    .map((queues) => ({ at, api: "queues" as const, queues }));
