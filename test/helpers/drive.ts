// Virtual time for code that sleeps on its own schedule while the test waits
// for it (the exit clean-up's backoff, say). `sleepWatch` wraps a
// VirtualClock so a test can tell when the code under test is asleep and
// until when; `driveSleeps` then moves time straight to each of its wake-ups
// and never while it waits for I/O, so real latency is never charged to the
// virtual budget and no test sleeps to synchronise.
import type { Clock, VirtualClock } from "../../src/shared/clock.ts";

export interface SleepWatch {
  /** The clock to hand to the code under test. */
  clock: Clock;
  /** When its earliest pending sleep ends (undefined while it is awake). */
  asleepUntil(): number | undefined;
}

export function sleepWatch(inner: Clock): SleepWatch {
  const sleeping = new Map<number, number>();
  let seq = 0;
  return {
    clock: {
      now: () => inner.now(),
      sleep: async (ms, signal) => {
        const id = seq++;
        sleeping.set(id, inner.now() + Math.max(0, ms));
        try {
          await inner.sleep(ms, signal);
        } finally {
          sleeping.delete(id);
        }
      },
    },
    asleepUntil: () => (sleeping.size === 0 ? undefined : Math.min(...sleeping.values())),
  };
}

/** Waits for `work`, moving `clock` to each wake-up of the code `watch` watches while it sleeps. */
export async function driveSleeps<T>(clock: VirtualClock, watch: SleepWatch, work: Promise<T>): Promise<T> {
  let done = false;
  const settled = work.finally(() => {
    done = true;
  });
  while (!done) {
    const until = watch.asleepUntil();
    if (until === undefined) await Promise.race([settled, new Promise((r) => setTimeout(r, 1))]);
    else await clock.advance(Math.max(0, until - clock.now()), 20);
  }
  return settled;
}
