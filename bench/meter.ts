// Work conservation, measured exactly: the simulator's recording says when
// queues were active but not when work was waiting, so the run loop shows
// the meter the engine's queues after every instant at which anything could
// change (every job event and every poll) and the meter integrates the
// piecewise-constant state between them.
//
// Idle slot time, in slot·ms: at each moment, free = N − (managed queues with
// active jobs), waiting = managed queues with pending jobs but none active;
// min(free, waiting) slots could have been working and were not. A queue
// running some jobs with more pending uses its slot, so it never counts.

import type { EngineQueue } from "../src/simulator/engine-types.ts";

export class SlotMeter {
  private readonly managed: Set<string>;
  private lastAt: number | undefined;
  private lastIdle = 0;
  /** Slot·ms during which a slot was free while a managed queue had pending work. */
  idleSlotMs = 0;
  /** Milliseconds with at least one such idle slot. */
  idleMs = 0;
  /** Stretches of idle slot time: each one a hand-over that waited (idle slot time ÷ this = per hand-over). */
  idleEpisodes = 0;
  /** Milliseconds during which some managed queue had work (active or pending). */
  busyMs = 0;
  private lastBusy = false;

  constructor(
    private readonly n: number,
    managed: readonly string[],
    /** Nothing is counted before this time (the warm-up before the workload). */
    private readonly from: number,
  ) {
    this.managed = new Set(managed);
  }

  /** The queues as they stand once everything at `at` has happened. */
  sample(at: number, queues: readonly EngineQueue[]): void {
    if (this.lastAt !== undefined && at > this.lastAt) {
      const span = at - Math.max(this.lastAt, this.from);
      if (span > 0) {
        this.idleSlotMs += this.lastIdle * span;
        if (this.lastIdle > 0) this.idleMs += span;
        if (this.lastBusy) this.busyMs += span;
      }
    }
    let active = 0;
    let waiting = 0;
    for (const q of queues) {
      if (!this.managed.has(q.name)) continue;
      if (q.counts.active > 0) active++;
      else if (q.counts.waiting + q.counts.paused > 0) waiting++;
    }
    const idle = Math.max(0, Math.min(this.n - active, waiting));
    if (idle > 0 && this.lastIdle === 0 && at >= this.from) this.idleEpisodes++;
    this.lastIdle = idle;
    this.lastBusy = active + waiting > 0;
    this.lastAt = at;
  }
}
