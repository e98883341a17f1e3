// What the simulator saw happen, kept cheaply enough for a 20,000-job run:
// one interval per stretch of activity per queue (not per job), one entry
// per real pause-flag change, one record per upload. The engine writes it;
// tests, benchmarks and the control endpoint read it as a Recording.

import type { ActiveInterval, ConcurrencyChange, PauseChange, Recording, UploadRecord } from "./engine-types.ts";

export class Recorder {
  private readonly pauseChanges: PauseChange[] = [];
  private readonly concurrencyChanges: ConcurrencyChange[] = [];
  private readonly intervals: ActiveInterval[] = [];
  /** The open interval of each queue (by index), while it has active jobs. */
  private readonly open: (ActiveInterval | undefined)[];
  private readonly uploads: UploadRecord[] = [];
  private readonly completed: number[];
  private readonly failed: number[];
  private readonly peak: number[];
  /** Queues with an open interval, as a bitmask over queue indices (the engine allows ≤ 31 queues). */
  private mask = 0;
  /** Queues whose jobs are no-ops now (the storage template off), as a bitmask: their stretches are marked. */
  private noOp = 0;
  private readonly sampleAt: number[] = [];
  private readonly sampleMask: number[] = [];

  constructor(
    private readonly queueNames: readonly string[],
    readonly startedAt: number,
  ) {
    this.open = queueNames.map(() => undefined);
    this.completed = queueNames.map(() => 0);
    this.failed = queueNames.map(() => 0);
    this.peak = queueNames.map(() => 0);
  }

  /** From now on the queue's jobs are no-ops (or real work again): its next stretches are marked so. */
  setNoOp(queue: number, noOp: boolean): void {
    this.noOp = noOp ? this.noOp | (1 << queue) : this.noOp & ~(1 << queue);
  }

  concurrencyChange(change: ConcurrencyChange): void {
    this.concurrencyChanges.push(change);
  }

  pauseChange(change: PauseChange): void {
    this.pauseChanges.push(change);
  }

  /**
   * The queue's active count once everything at time `at` has happened. The
   * engine calls this after each instant, never mid-instant, so a job that
   * completes and is replaced at the same moment leaves no zero-length gap.
   */
  activity(queue: number, at: number, active: number): void {
    const current = this.open[queue];
    if (active > 0 && !current) {
      const interval: ActiveInterval = { queue: this.queueNames[queue]!, from: at, ...(this.noOp & (1 << queue) ? { noOp: true as const } : {}) };
      this.open[queue] = interval;
      this.intervals.push(interval);
      this.mask |= 1 << queue;
    } else if (active === 0 && current) {
      current.to = at;
      this.open[queue] = undefined;
      this.mask &= ~(1 << queue);
    }
  }

  /**
   * After the activity calls of an instant: note the active set if it
   * changed. Kept as it goes, as (time, bitmask) pairs, because deriving the
   * samples from 40,000 intervals on every read made reading a long run's
   * recording slow, while building one array per change slowed the run.
   */
  endInstant(at: number): void {
    let n = this.sampleAt.length;
    if (n > 0 && this.sampleAt[n - 1] === at && this.sampleMask[n - 1] !== this.mask) {
      // A second settle in the same instant replaces the first's sample.
      this.sampleAt.pop();
      this.sampleMask.pop();
      n--;
    }
    // Before any sample nothing was active.
    if ((n > 0 ? this.sampleMask[n - 1] : 0) === this.mask) return;
    this.sampleAt.push(at);
    this.sampleMask.push(this.mask);
  }

  started(queue: number, activeNow: number): void {
    if (activeNow > this.peak[queue]!) this.peak[queue] = activeNow;
  }

  jobCompleted(queue: number): void {
    this.completed[queue]!++;
  }

  /** A job whose handler failed (Immich drops it; the API's `failed` count stays 0). */
  jobFailed(queue: number): void {
    this.failed[queue]!++;
  }

  /** The record is kept and filled in by the engine as the upload progresses. */
  upload(record: UploadRecord): void {
    this.uploads.push(record);
  }

  /** A copy: callers may keep or change it without touching the engine's state. */
  snapshot(now: number): Recording {
    const activeIntervals = this.intervals.map((i) => ({ ...i }));
    const byName = (values: number[]) => Object.fromEntries(this.queueNames.map((q, i) => [q, values[i]!]));
    return {
      startedAt: this.startedAt,
      now,
      pauseChanges: this.pauseChanges.map((c) => ({ ...c })),
      concurrencyChanges: this.concurrencyChanges.map((c) => ({ ...c })),
      activeIntervals,
      uploads: this.uploads.map((u) => ({ ...u })),
      samples: this.samples(),
      completedJobs: byName(this.completed),
      failedJobs: byName(this.failed),
      peakActive: byName(this.peak),
    };
  }

  /** One sample per change; the name arrays are shared per distinct set (there are few). */
  private samples(): Recording["samples"] {
    const names = new Map<number, string[]>();
    return this.sampleAt.map((at, k) => {
      const mask = this.sampleMask[k]!;
      let activeQueues = names.get(mask);
      if (!activeQueues) {
        activeQueues = this.queueNames.filter((_, i) => (mask & (1 << i)) !== 0);
        names.set(mask, activeQueues);
      }
      return { at, activeQueues };
    });
  }
}
