// Rule 7, bounded waiting (DESIGN.md §2; MAX_WAIT): when a managed queue of
// higher priority has had pending work for longer than MAX_WAIT while every
// slot is held by lower-priority queues, the lowest-priority holder is paused
// gracefully: its active jobs finish, nothing is interrupted, and the waiting
// queue gets the slot as soon as it frees (decide's fill step, by priority).
// Never facialRecognition (pausing it mid-scan duplicates its work), never a
// queue a person resumed, and a queue paused this way is not paused again by
// MAX_WAIT until MAX_WAIT has passed since it got its slot back (no flapping).
//
// What this needs to remember between cycles, and only this, is WaitMemory:
// plain data passed into decide() and returned by it, like Ownership.

import { dict, own } from "../shared/dict.ts";
import type { QueueSnapshot } from "./types.ts";

/** Never paused by MAX_WAIT: a pause mid-scan makes it start its clustering over. */
export const MAX_WAIT_EXEMPT: readonly string[] = ["facialRecognition"];

export interface WaitMemory {
  /** Since when (ms) each managed queue has had pending work without holding a slot. */
  waitingSince: Record<string, number>;
  /** Queues MAX_WAIT paused that have not had their slot back yet. */
  preempted: string[];
  /** When a queue MAX_WAIT paused got its slot back (ms). */
  regainedAt: Record<string, number>;
  /** Queues someone else resumed that are still running: exempt. */
  resumedByOther: string[];
}

// Keyed by queue names, which may be `constructor` too: dictionaries without a prototype, read with own().
export const emptyWaitMemory = (): WaitMemory => ({ waitingSince: dict(), preempted: [], regainedAt: dict(), resumedByOther: [] });

const hasPending = (q: QueueSnapshot) => q.waiting + q.paused > 0;
const occupies = (q: QueueSnapshot) => (q.isPaused ? q.active > 0 : q.active + q.waiting + q.paused > 0);

/**
 * The memory brought up to date with one observation of the managed queues.
 * `resumedNow`: queues this cycle found resumed by someone else.
 */
export function trackWaiting(
  memory: WaitMemory,
  managed: readonly QueueSnapshot[],
  now: number,
  resumedNow: ReadonlySet<string>,
): WaitMemory {
  const waitingSince = dict<number>();
  const regainedAt = dict<number>();
  const preempted: string[] = [];
  const resumedByOther: string[] = [];
  const before = new Set(memory.resumedByOther);
  for (const q of managed) {
    if (hasPending(q) && !occupies(q)) waitingSince[q.name] = own(memory.waitingSince, q.name) ?? now;
    const back = !q.isPaused && occupies(q);
    if (memory.preempted.includes(q.name)) {
      if (back) regainedAt[q.name] = now;
      else if (hasPending(q) || q.active > 0) preempted.push(q.name);
    }
    const since = own(memory.regainedAt, q.name);
    if (since !== undefined && own(regainedAt, q.name) === undefined) regainedAt[q.name] = since;
    // A queue someone resumed stays exempt while it runs; a pause (anyone's) ends that.
    if (!q.isPaused && (resumedNow.has(q.name) || before.has(q.name))) resumedByOther.push(q.name);
  }
  return { waitingSince, preempted, regainedAt, resumedByOther };
}

export interface Holder {
  name: string;
  /** 0 = highest priority. */
  rank: number;
  isPaused: boolean;
  active: number;
}

export interface Preemption {
  /** The holder to pause. */
  victim: string;
  /** The queue that has waited too long. */
  waiter: string;
  waitedMs: number;
}

export interface PreemptInput {
  memory: WaitMemory;
  now: number;
  /** MAX_WAIT in ms; null = off. */
  maxWaitMs: number | null;
  n: number;
  /** Slot holders once the cap step is applied. */
  holders: readonly Holder[];
  /** Queues with pending work and no slot that the daemon may resume, highest priority first. */
  waiting: readonly { name: string; rank: number }[];
}

/**
 * At most one pause per cycle, and none while a slot is already freeing (a
 * paused holder still draining): that slot goes to the highest-priority
 * waiting queue first.
 */
export function preempt(i: PreemptInput): Preemption | undefined {
  if (i.maxWaitMs === null || i.holders.length < i.n) return undefined;
  if (i.holders.some((h) => h.isPaused)) return undefined;
  const overdue = i.waiting.find((w) => {
    const since = own(i.memory.waitingSince, w.name);
    return since !== undefined && i.now - since > i.maxWaitMs!;
  });
  if (!overdue) return undefined;
  if (!i.holders.every((h) => h.rank > overdue.rank)) return undefined;
  const eligible = i.holders
    .filter((h) => !MAX_WAIT_EXEMPT.includes(h.name) && !i.memory.resumedByOther.includes(h.name))
    .filter((h) => {
      const back = own(i.memory.regainedAt, h.name);
      return back === undefined || i.now - back >= i.maxWaitMs!;
    })
    .sort((a, b) => b.rank - a.rank);
  const victim = eligible[0];
  if (!victim) return undefined;
  return { victim: victim.name, waiter: overdue.name, waitedMs: i.now - own(i.memory.waitingSince, overdue.name)! };
}
