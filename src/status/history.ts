// The bounded in-memory history behind the page's timeline: per managed
// queue, the stretches of time it had active jobs, and the marks of the
// daemon's pauses and resumes and of a person's pauses. Bounded twice: by
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
}

export class History {
  private readonly rows = new Map<string, Row>();
  private marks: TimelineMark[] = [];
  private startedAt: number | undefined;
  private lastAt: number | undefined;

  constructor(private readonly horizonMs = HISTORY_MS) {}

  /** One observation: which managed queues had active jobs at `at`. */
  sample(at: number, activeByQueue: ReadonlyMap<string, boolean>): void {
    this.startedAt ??= at;
    this.lastAt = at;
    for (const [name, active] of activeByQueue) {
      const row = this.rows.get(name) ?? { closed: [] };
      this.rows.set(name, row);
      if (row.open) {
        row.open.end = at;
        if (!active) this.close(row);
      } else if (active) {
        row.open = { start: at, end: at };
      }
    }
    // A queue no longer reported has no active jobs we know of.
    for (const [name, row] of this.rows) if (!activeByQueue.has(name)) this.close(row);
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
