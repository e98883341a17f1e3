// The bounded in-memory history behind the page's timeline: per managed
// queue, the stretches of time it had active jobs, and the marks of the
// daemon's pauses and resumes and of a person's pauses. A queue that ran
// only between two looks (idle at both, fewer jobs at the second: a short
// run the looks never caught) gets a span over that interval marked
// `between`, with the jobs seen done: the page draws it apart, since when
// exactly it ran within the interval is not known (issue 18). Bounded twice: by
// age (HISTORY_MS) and by count, so a daemon that runs for months at a
// 1-second poll holds the same few kilobytes as one started an hour ago.

import type { ActiveSpan, Timeline, TimelineMark } from "./snapshot.ts";

export const HISTORY_MS = 6 * 60 * 60 * 1000;
export const MAX_SPANS_PER_QUEUE = 400;
export const MAX_MARKS = 600;

/**
 * Per queue: its closed spans (frozen: they never change again, so every
 * snapshot shares them instead of copying) and the span still open, if any.
 */
interface Row {
  closed: ActiveSpan[];
  open?: { start: number; end: number };
  /** The previous look at this queue: when, and its active + pending then. */
  last?: { at: number; total: number; active: boolean };
}

/** What one look saw of a managed queue. */
export interface QueueSample {
  active: number;
  /** active + waiting + paused. */
  total: number;
}

export class History {
  private readonly rows = new Map<string, Row>();
  private marks: TimelineMark[] = [];
  private startedAt: number | undefined;
  private lastAt: number | undefined;

  constructor(private readonly horizonMs = HISTORY_MS) {}

  /** One observation: each managed queue's active jobs and work at `at`. */
  sample(at: number, byQueue: ReadonlyMap<string, QueueSample>): void {
    this.startedAt ??= at;
    this.lastAt = at;
    for (const [name, q] of byQueue) {
      const row = this.rows.get(name) ?? { closed: [] };
      this.rows.set(name, row);
      const active = q.active > 0;
      if (row.open) {
        row.open.end = at;
        if (!active) this.close(row);
      } else if (active) {
        row.open = { start: at, end: at };
      } else if (row.last && !row.last.active && q.total < row.last.total && at > row.last.at) {
        // Idle at both looks, yet jobs were done in between: a run shorter than the interval.
        row.closed.push(Object.freeze({ start: row.last.at, end: at, between: true as const, jobs: row.last.total - q.total }));
        if (row.closed.length + 1 > MAX_SPANS_PER_QUEUE) row.closed.shift();
      }
      row.last = { at, total: q.total, active };
    }
    // A queue no longer reported has no active jobs we know of.
    for (const [name, row] of this.rows) {
      if (byQueue.has(name)) continue;
      this.close(row);
      delete row.last;
    }
    this.prune(at);
  }

  mark(m: TimelineMark): void {
    this.marks.push(Object.freeze({ ...m }));
    if (this.marks.length > MAX_MARKS) this.marks.shift();
  }

  /**
   * The timeline for a snapshot: new arrays holding the frozen closed spans
   * and marks (shared, never copied) and a copy of each open span, so later
   * samples never change a published snapshot.
   */
  timeline(order: readonly string[]): Timeline {
    const to = this.lastAt ?? 0;
    const from = Math.max(this.startedAt ?? to, to - this.horizonMs);
    const names = [...order.filter((n) => this.rows.has(n)), ...[...this.rows.keys()].filter((n) => !order.includes(n))];
    return {
      from,
      to,
      queues: names.map((name) => {
        const row = this.rows.get(name)!;
        return { name, spans: row.open ? [...row.closed, { ...row.open }] : [...row.closed] };
      }),
      marks: [...this.marks],
    };
  }

  private close(row: Row) {
    if (!row.open) return;
    row.closed.push(Object.freeze(row.open));
    delete row.open;
    if (row.closed.length + 1 > MAX_SPANS_PER_QUEUE) row.closed.shift();
  }

  private prune(now: number) {
    const oldest = now - this.horizonMs;
    for (const row of this.rows.values()) {
      while (row.closed.length > 0 && row.closed[0]!.end < oldest) row.closed.shift();
    }
    while (this.marks.length > 0 && this.marks[0]!.at < oldest) this.marks.shift();
  }
}
