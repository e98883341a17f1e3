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
