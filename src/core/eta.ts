// How fast each managed queue drains, and so how long until it is empty
// (issue 6: ETAs; DESIGN.md §2 rule 12 uses the same figures to look again
// just before a queue runs dry). Immich reports `completed` as ~0 (it removes
// finished jobs), so the jobs finished between two looks are read from the
// fall of active + pending while the queue runs. The estimate is a
// time-weighted moving average (time constant TAU_MS) of those samples, and
// it keeps only what it can trust (the average is bias-corrected, so its
// first samples weigh as a plain mean of the running time so far, and a
// queue whose first job has not finished yet is not read as stalled for
// minutes after):
//   - time counts only while the queue runs (unpaused at both looks): a
//     paused queue's stillness says nothing about its speed;
//   - an interval in which its count rose (a burst of uploads, a restart
//     that re-queues jobs) is skipped: arrivals hide departures;
//   - an interval in which it ran dry only bounds the rate from below (it may
//     have finished long before the look), so it is used only while nothing
//     better is known;
//   - once a rate is established, one interval cannot claim more than
//     CLIP times it, or the jobs that were active at its start if more (a
//     lost Redis state or a person emptying a queue is not speed; a slow
//     queue's one job ending within a short interval is).
// Pure data in, pure data out: the daemon keeps the state between cycles.

import { type Blockers, pauseBlock } from "./blockers.ts";
import type { Observation, QueueSnapshot } from "./types.ts";
import { grouped } from "./numbers.ts";
import { priorRate } from "./eta-priors.ts";

/** Time constant of the moving average: about the last two minutes of running count. */
export const TAU_MS = 120_000;
/** A sample may be at most this many times the established rate. */
const CLIP = 4;
/** Samples before the rate is "established" for clipping. */
const ESTABLISHED = 3;

export interface QueueDrain {
  /** The look this entry was made from. */
  at: number;
  total: number;
  /** Active jobs at that look. */
  active: number;
  isPaused: boolean;
  /** Jobs finished per second while running; undefined until measured. */
  rate?: number;
  /** Trusted samples so far. */
  samples: number;
  /** The moving average's weights (rate = sum / weight). */
  sum?: number;
  weight?: number;
}

/** Per managed queue name. */
export type DrainState = Record<string, QueueDrain>;

const totalOf = (q: QueueSnapshot) => q.active + q.waiting + q.paused;

/** The state after one more look at the server. */
export function updateDrain(prev: DrainState, obs: Observation, managed: readonly string[]): DrainState {
  const want = new Set(managed);
  const next: DrainState = Object.create(null) as DrainState;
  for (const q of obs.queues) {
    if (!want.has(q.name)) continue;
    const p = Object.hasOwn(prev, q.name) ? prev[q.name] : undefined;
    const total = totalOf(q);
    const entry: QueueDrain = { at: obs.at, total, active: q.active, isPaused: q.isPaused, samples: p?.samples ?? 0 };
    if (p?.rate !== undefined) entry.rate = p.rate;
    if (p?.sum !== undefined && p.weight !== undefined) Object.assign(entry, { sum: p.sum, weight: p.weight });
    const dt = obs.at - (p?.at ?? obs.at);
    const ran = p !== undefined && !p.isPaused && !q.isPaused && p.total > 0;
    if (ran && dt > 0 && total <= p.total) {
      let finished = p.total - total;
      // Against an established, non-zero rate only: the first looks at a slow queue see nothing finish yet.
      if (entry.rate !== undefined && entry.rate > 0 && p.samples >= ESTABLISHED) {
        finished = Math.min(finished, Math.max(p.active, CLIP * entry.rate * (dt / 1000)));
      }
      const sample = finished / (dt / 1000);
      const w = 1 - Math.exp(-dt / TAU_MS);
      if (total > 0) {
        entry.sum = (entry.sum ?? 0) * (1 - w) + w * sample;
        entry.weight = (entry.weight ?? 0) * (1 - w) + w;
        entry.rate = entry.sum / entry.weight;
        entry.samples++;
      } else if (entry.rate === undefined && sample > 0) {
        // Ran dry: a lower bound, better than nothing.
        Object.assign(entry, { rate: sample, sum: w * sample, weight: w });
      }
    }
    next[q.name] = entry;
  }
  return next;
}

/** Whether `queue`'s rate rests on enough running time to act on (a few looks of it running). */
export const isMeasured = (state: DrainState, queue: string): boolean => (Object.hasOwn(state, queue) ? state[queue]!.samples : 0) >= ESTABLISHED;

/** Milliseconds until `q` is empty at its measured rate once it runs; 0 if empty, null if not known. */
export function timeToEmptyMs(state: DrainState, q: QueueSnapshot): number | null {
  const total = totalOf(q);
  if (total === 0) return 0;
  const rate = measuredRate(state, q.name);
  if (rate === undefined || rate <= 0) return null;
  return (total / rate) * 1000;
}

/** The queue's own measured rate (an own property only: queue names come from the server). */
const measuredRate = (state: DrainState, name: string): number | undefined =>
  Object.hasOwn(state, name) ? state[name]!.rate : undefined;

/** Plain data for `status`, the logs, the demo and the status server. */
export interface Eta {
  /**
   * Per managed queue with work: jobs left and time to empty (null: not
   * measured yet, or it waits for a gate: `waits` says which).
   */
  queues: {
    name: string;
    jobs: number;
    ratePerSecond: number | null;
    ms: number | null;
    waits?: string;
    /** `ms` rests on the usual cost of this queue's jobs (eta-priors.ts), not on its own measured rate yet. */
    estimated?: true;
  }[];
  /**
   * Time until the work pending now is done, if every queue keeps its rate
   * (measured, or its prior until then): the queues share N slots, so the
   * sum of their times over N, but never less than the longest one. Work
   * the pipeline will create later (thumbnails of photos still in metadata
   * extraction) is not in it. null when no queue with work has a rate.
   */
  overallMs: number | null;
  /** Queues with work and neither a measured rate nor a prior: the overall figure cannot include them, so it is a lower bound. */
  unknown: string[];
  /** Queues with work whose time comes from a prior: the overall figure includes them, and is an estimate. */
  estimated: string[];
  /**
   * Queues with work that may not run now (a closed window, the ML service
   * gone: blockers.ts): no countdown is true for them, so they get none and
   * the overall figure leaves them out.
   */
  waiting: string[];
}

/** @param blockers what keeps queues from running now; a queue a block pauses gets no countdown. */
export function estimate(state: DrainState, obs: Observation, priority: readonly string[], n: number, blockers?: Blockers): Eta {
  const byName = new Map(obs.queues.map((q) => [q.name, q]));
  const queues: Eta["queues"] = [];
  for (const name of priority) {
    const q = byName.get(name);
    if (!q || totalOf(q) === 0) continue;
    const rate = measuredRate(state, name) ?? null;
    const block = pauseBlock(blockers, name);
    if (block) {
      queues.push({ name, jobs: totalOf(q), ratePerSecond: rate, ms: null, waits: block.detail });
      continue;
    }
    const ms = timeToEmptyMs(state, q);
    const prior = ms === null ? priorRate(name) : undefined;
    if (prior !== undefined) queues.push({ name, jobs: totalOf(q), ratePerSecond: null, ms: (totalOf(q) / prior) * 1000, estimated: true });
    else queues.push({ name, jobs: totalOf(q), ratePerSecond: rate, ms });
  }
  const running = queues.filter((q) => q.waits === undefined);
  const known = running.flatMap((q) => (q.ms === null ? [] : [q.ms]));
  const overallMs = known.length === 0 ? null : Math.max(Math.max(...known), known.reduce((a, b) => a + b, 0) / n);
  return {
    queues,
    overallMs,
    unknown: running.filter((q) => q.ms === null).map((q) => q.name),
    estimated: running.filter((q) => q.estimated).map((q) => q.name),
    waiting: queues.filter((q) => q.waits !== undefined).map((q) => q.name),
  };
}

/** The ETA from rates measured elsewhere (a running daemon's heartbeat, for `status`). */
export function etaFromRates(
  rates: Readonly<Record<string, number>>,
  obs: Observation,
  policy: { priority: readonly string[]; maxConcurrent: number },
  blockers?: Blockers,
): Eta {
  const state: DrainState = Object.create(null) as DrainState;
  for (const [name, rate] of Object.entries(rates)) state[name] = { at: obs.at, total: 0, active: 0, isPaused: false, rate, samples: 0 };
  return estimate(state, obs, policy.priority, policy.maxConcurrent, blockers);
}

/** "2 h 5 min", "3 min 20 s", "45 s", "< 1 s". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 1) return "< 1 s";
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.round(h / 24)} days`;
}

/**
 * One line: "smartSearch 1,200 jobs ~2 h 5 min, faceDetection 300 jobs ~2 min
 * (estimate: rate not measured yet); all ~2 h 7 min (estimate)".
 */
export function formatEta(eta: Eta): string {
  const parts = eta.queues.map(
    (q) =>
      `${q.name} ${grouped(q.jobs)} job${q.jobs === 1 ? "" : "s"} ` +
      (q.waits !== undefined
        ? `(waits: ${q.waits})`
        : q.ms === null
          ? "(rate not measured yet)"
          : q.estimated
            ? `~${formatDuration(q.ms)} (estimate: rate not measured yet)`
            : `~${formatDuration(q.ms)}`),
  );
  return `${parts.join(", ")}; all ${formatOverall(eta)}`;
}

/**
 * The overall figure in words, never claiming more than is known: "~2 min",
 * "~2 min (estimate)" while a prior stands in for a rate, "more than ~2 min"
 * while a queue with work has no rate at all, "unknown" with none.
 */
export function formatOverall(eta: Pick<Eta, "overallMs" | "unknown" | "estimated">): string {
  if (eta.overallMs === null) return "unknown";
  const d = `~${formatDuration(eta.overallMs)}`;
  if (eta.unknown.length > 0) return `more than ${d}`;
  return eta.estimated.length > 0 ? `${d} (estimate)` : d;
}
