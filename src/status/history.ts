// The bounded in-memory history behind the page's timeline: per managed
// queue, the stretches of time it had active jobs, and the marks of the
// daemon's pauses and resumes and of a person's pauses. Bounded twice: by
// age (HISTORY_MS) and by count, so a daemon that runs for months at a
// 1-second poll holds the same few kilobytes as one started an hour ago.

import type { ActiveSpan, Timeline, TimelineMark } from "./snapshot.ts";

export const HISTORY_MS = 6 * 60 * 60 * 1000;
export const MAX_SPANS_PER_QUEUE = 400;
export const MAX_MARKS = 600;

interface Span extends ActiveSpan {
  open: boolean;
}

export class History {
  private readonly spans = new Map<string, Span[]>();
  private marks: TimelineMark[] = [];
  private startedAt: number | undefined;
  private lastAt: number | undefined;

  constructor(private readonly horizonMs = HISTORY_MS) {}

  /** One observation: which managed queues had active jobs at `at`. */
  sample(at: number, activeByQueue: ReadonlyMap<string, boolean>): void {
    this.startedAt ??= at;
    this.lastAt = at;
    for (const [name, active] of activeByQueue) {
      const list = this.spans.get(name) ?? [];
      this.spans.set(name, list);
      const last = list[list.length - 1];
      if (last?.open) {
        last.end = at;
        if (!active) last.open = false;
      } else if (active) {
        list.push({ start: at, end: at, open: true });
        if (list.length > MAX_SPANS_PER_QUEUE) list.shift();
      }
    }
    // A queue no longer reported has no active jobs we know of.
    for (const [name, list] of this.spans) {
      const last = list[list.length - 1];
      if (!activeByQueue.has(name) && last?.open) last.open = false;
    }
    this.prune(at);
  }

  mark(m: TimelineMark): void {
    this.marks.push(m);
    if (this.marks.length > MAX_MARKS) this.marks.shift();
  }

  /** A copy for a snapshot (the history keeps changing; the snapshot must not). */
  timeline(order: readonly string[]): Timeline {
    const to = this.lastAt ?? 0;
    const from = Math.max(this.startedAt ?? to, to - this.horizonMs);
    const names = [...order.filter((n) => this.spans.has(n)), ...[...this.spans.keys()].filter((n) => !order.includes(n))];
    return {
      from,
      to,
      queues: names.map((name) => ({ name, spans: this.spans.get(name)!.map(({ start, end }) => ({ start, end })) })),
      marks: this.marks.map((m) => ({ ...m })),
    };
  }

  private prune(now: number) {
    const oldest = now - this.horizonMs;
    for (const list of this.spans.values()) {
      while (list.length > 0 && list[0]!.end < oldest && !list[0]!.open) list.shift();
    }
    while (this.marks.length > 0 && this.marks[0]!.at < oldest) this.marks.shift();
  }
}
