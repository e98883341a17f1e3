// Simulated time for the live demo: a VirtualClock moved forward in small
// ticks to keep `speed` times ahead of the real clock. Not a ScaledClock on
// purpose. With a ScaledClock, simulated time runs on while an HTTP request
// is in flight, so the ~10 ms between the daemon's observation and its
// command becomes ~1 s of simulated time at 120×, longer than many jobs: a
// queue the daemon releases as empty has new active jobs by the time the
// pause lands, and the recording shows 3 queues active with N = 2 (measured:
// --duration 20 at 120×). On a real server that window is ~1000× shorter
// than a job. A VirtualClock waits for each woken task's I/O before moving
// on, so requests take no simulated time, as they nearly don't in reality,
// and the live demo matches the same run in virtual time in the tests.

import type { Clock } from "../shared/clock.ts";
import { VirtualClock } from "../shared/clock.ts";

export interface Pacer {
  clock: VirtualClock;
  /** Starts moving the clock, from now on. Idempotent. */
  start(): void;
  /** Stops moving the clock (waits for the tick in progress). */
  stop(): Promise<void>;
}

export interface PaceOptions {
  /** Real milliseconds between two moves of the clock (default 20). */
  tickMs?: number;
  /**
   * Real milliseconds one woken task may take to sleep again before time
   * moves on anyway (default 250): a daemon cycle needs a few ms; a task
   * that ends instead of sleeping again costs this once.
   */
  settleMs?: number;
}

/**
 * A VirtualClock starting at real's now that, once started, is kept `speed`
 * times ahead of `real` until stopped. Until `start` it stands still, so
 * the daemon's start-up (real I/O, no sleep on the clock) takes no simulated
 * time, as in the tests.
 */
export function pacedClock(real: Clock, speed: number, opts: PaceOptions = {}): Pacer {
  if (!(speed > 0 && Number.isFinite(speed))) throw new RangeError(`speed must be a positive number, got ${speed}`);
  const clock = new VirtualClock(real.now());
  const stop = new AbortController();
  let loop: Promise<void> | undefined;
  const pace = async () => {
    const realStart = real.now();
    const simStart = clock.now();
    while (!stop.signal.aborted) {
      // Aim at where time should be now, so a slow tick is caught up, not accumulated.
      const behind = simStart + (real.now() - realStart) * speed - clock.now();
      if (behind > 0) await clock.advance(behind, opts.settleMs ?? 250);
      await real.sleep(opts.tickMs ?? 20, stop.signal);
    }
  };
  return {
    clock,
    start() {
      if (!loop && !stop.signal.aborted) loop = pace();
    },
    async stop() {
      stop.abort();
      await loop;
    },
  };
}
