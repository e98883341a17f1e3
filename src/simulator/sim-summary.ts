// Numbers computed from a simulator Recording: how many queues ran at once
// (the daemon's cap is about exactly that), for how long the cap was
// exceeded, and how long uploads waited for their thumbnails. Tests and the
// benchmark share these so they measure the same thing the same way.

import { isOpen, type Window, windowStates } from "../core/windows.ts";
import type { Recording } from "./engine-types.ts";

/**
 * Highest number of queues with active jobs at the same moment, counting only
 * `among` when given (e.g. the daemon's managed queues). Stretches of jobs the
 * server skipped (ActiveInterval.noOp) are not work and not counted.
 */
export function maxActiveQueues(rec: Recording, among?: readonly string[]): number {
  let max = 0;
  sweep(rec, among, (count) => {
    if (count > max) max = count;
  });
  return max;
}

/** Milliseconds during which more than `cap` queues of `among` (all when omitted) had active jobs. */
export function timeOverCap(rec: Recording, cap: number, among?: readonly string[]): number {
  let total = 0;
  sweep(rec, among, (count, from, to) => {
    if (count > cap) total += to - from;
  });
  return total;
}

/** Total time each queue had active jobs (an interval still open counts up to rec.now). */
export function activeTime(rec: Recording): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of rec.activeIntervals) out[i.queue] = (out[i.queue] ?? 0) + ((i.to ?? rec.now) - i.from);
  return out;
}

/**
 * When the last stretch of activity ended (an open one counts as ending at
 * rec.now), or `from` if nothing ran after it: a finished workload's end.
 */
export function lastActivityEnd(rec: Recording, from: number): number {
  return rec.activeIntervals.reduce((t, i) => Math.max(t, i.to ?? rec.now), from);
}

/** Arrival-to-thumbnail times of the uploads that have one, in ms, in arrival order. */
export function timesToThumbnail(rec: Recording): number[] {
  return rec.uploads.flatMap((u) => (u.thumbnailAt === undefined ? [] : [u.thumbnailAt - u.arrivedAt]));
}

/** Arrival-to-done (every job of its pipeline finished) times, in ms. */
export function timesToDone(rec: Recording): number[] {
  return rec.uploads.flatMap((u) => (u.doneAt === undefined ? [] : [u.doneAt - u.arrivedAt]));
}

/** Nearest-rank percentile (p in 0..100) of the values; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export interface LatencySummary {
  count: number;
  p50?: number;
  p95?: number;
  max?: number;
}

export function latency(values: readonly number[]): LatencySummary {
  return { count: values.length, p50: percentile(values, 50), p95: percentile(values, 95), max: percentile(values, 100) };
}

/** The pause changes made by one actor (e.g. "daemon", "restart"). */
export function pauseChangesBy(rec: Recording, actor: string): Recording["pauseChanges"] {
  return rec.pauseChanges.filter((c) => c.actor === actor);
}

/**
 * Walk the active intervals in time order, calling `visit(count, from, to)`
 * for each stretch between changes with the number of active queues then.
 */
function sweep(
  rec: Recording,
  among: readonly string[] | undefined,
  visit: (count: number, from: number, to: number) => void,
): void {
  const keep = among ? new Set(among) : undefined;
  const edges: [number, number][] = [];
  for (const i of rec.activeIntervals) {
    // Jobs the server skipped (the storage template off) are no work: they take no slot (core/pass-through.ts).
    if (i.noOp || (keep && !keep.has(i.queue))) continue;
    edges.push([i.from, 1]);
    edges.push([i.to ?? rec.now, -1]);
  }
  edges.sort((a, b) => a[0] - b[0]);
  let count = 0;
  for (let k = 0; k < edges.length; ) {
    const at = edges[k]![0];
    // Apply every edge of one instant before looking: an end and a start at
    // the same moment are a hand-over, not an overlap.
    for (; k < edges.length && edges[k]![0] === at; k++) count += edges[k]![1];
    const next = edges[k]?.[0];
    if (next !== undefined) visit(count, at, next);
  }
}

/** How well queues kept to their time windows (DESIGN.md §2 rule 6). */
export interface WindowKeeping {
  /** Activity that began while the window was closed (must be 0). */
  startedOutsideMs: number;
  /** Stretches that began inside and ran on past the close: jobs finishing after it. */
  overruns: number;
  /** The longest of those, past the close. */
  maxOverrunMs: number;
  /** All activity past a close, in total. */
  overrunMs: number;
  /** Activity inside the window. */
  insideMs: number;
}

/**
 * From the recording's stretches of activity of `queues`, each with `window`
 * on `zone`'s clock. A stretch that began inside and ran past the close is
 * the active jobs finishing (a pause never stops them); if the daemon had
 * let new jobs start after the close, the stretch would run on far longer
 * than one job, which is what maxOverrunMs shows.
 */
export function windowKeeping(rec: Recording, queues: readonly string[], window: Window, zone: string): WindowKeeping {
  const out: WindowKeeping = { startedOutsideMs: 0, overruns: 0, maxOverrunMs: 0, overrunMs: 0, insideMs: 0 };
  const schedule = { zone, windows: { q: window } };
  for (const i of rec.activeIntervals) {
    if (!queues.includes(i.queue)) continue;
    const to = i.to ?? rec.now;
    if (!isOpen(window, zone, i.from)) {
      out.startedOutsideMs += to - i.from;
      continue;
    }
    const close = windowStates(schedule, i.from)[0]?.nextChangeAt ?? Infinity;
    if (to > close) {
      out.overruns++;
      out.overrunMs += to - close;
      out.maxOverrunMs = Math.max(out.maxOverrunMs, to - close);
      out.insideMs += close - i.from;
    } else {
      out.insideMs += to - i.from;
    }
  }
  return out;
}
