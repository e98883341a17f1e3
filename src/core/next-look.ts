// When the daemon looks again (DESIGN.md §2 rule 12): POLL_INTERVAL is the
// pace while nothing is about to change, not the reaction time. A change is
// near when
//   - a resume was just sent (did the queue start? does the next one wait?);
//   - a slot holder has only active jobs left, or is paused and draining
//     (MAX_WAIT, a closed window, the cap): its slot frees within a job;
//   - a slot holder's measured drain rate says its last pending job starts
//     before the next poll: look then (from there on it has only active jobs
//     left, looked at every floor: a rate is an average, and the last jobs
//     may end well before it predicts);
//   - a running slot holder's rate is not measured yet (it just started):
//     one look a floor later measures it, so a short queue does not run
//     dry unseen for a whole poll;
//   - a slot is free while work arrives (some managed queue's count rose).
// Never sooner than the floor (MIN_POLL_INTERVAL), never later than
// POLL_INTERVAL. With no managed work at all the answer is POLL_INTERVAL:
// idle costs one GET per POLL_INTERVAL and nothing else.

import { isMeasured, timeToEmptyMs, type DrainState } from "./eta.ts";
import type { Decision, Observation, QueueSnapshot } from "./types.ts";

export interface NextLookInput {
  /** The look before this one (undefined at the first). */
  previous?: Observation;
  observation: Observation;
  decision: Decision;
  drain: DrainState;
  /** Managed queues, highest priority first. */
  priority: readonly string[];
  maxConcurrent: number;
  pollMs: number;
  /** The floor; above pollMs it is pollMs. */
  minMs: number;
}

export interface NextLook {
  ms: number;
  /** Why sooner than POLL_INTERVAL, for the debug log and tests; "pace" when not. */
  why: "pace" | "resumed" | "only-active-left" | "drains-before-poll" | "measuring" | "work-arriving";
}

const pending = (q: QueueSnapshot) => q.waiting + q.paused;
const total = (q: QueueSnapshot) => q.active + pending(q);

export function nextLook(i: NextLookInput): NextLook {
  const floor = Math.min(i.minMs, i.pollMs);
  const managed = new Set(i.priority);
  const queues = i.observation.queues.filter((q) => managed.has(q.name));
  if (i.decision.actions.some((a) => a.kind === "resume")) return { ms: floor, why: "resumed" };

  let best: NextLook = { ms: i.pollMs, why: "pace" };
  const sooner = (ms: number, why: NextLook["why"]) => {
    const at = Math.max(floor, Math.min(i.pollMs, ms));
    if (at < best.ms) best = { ms: at, why };
  };
  const holders = new Set(i.decision.queues.filter((v) => v.managed && v.occupiesSlot).map((v) => v.name));
  // Paused now, or by this very decision (MAX_WAIT, a window, the cap).
  const pausing = new Set(i.decision.actions.filter((a) => a.kind === "pause").map((a) => a.queue));
  for (const q of queues) {
    if (!holders.has(q.name)) continue;
    const paused = q.isPaused || pausing.has(q.name);
    // A paused holder starts nothing more: its active jobs are all it has left to run.
    if (q.active > 0 && (paused || pending(q) === 0)) sooner(floor, "only-active-left");
    if (paused) continue;
    // Time until nothing is pending: the rate over the jobs not started yet.
    const tte = timeToEmptyMs(i.drain, { ...q, active: 0 });
    if (tte !== null && tte < i.pollMs) sooner(tte, "drains-before-poll");
    else if (!isMeasured(i.drain, q.name)) sooner(floor, "measuring");
  }
  if (i.decision.occupiedAfter < i.maxConcurrent && i.previous) {
    const before = new Map(i.previous.queues.map((q) => [q.name, total(q)]));
    if (queues.some((q) => total(q) > (before.get(q.name) ?? 0))) sooner(floor, "work-arriving");
  }
  return best;
}
