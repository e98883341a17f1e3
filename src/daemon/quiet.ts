// Whether a look changes nothing the decision depends on (cycle-book.ts
// reuses the previous decision then). Deliberately narrow: the server's
// answer is the same queue for queue and count for count, no managed queue
// has any work (so nothing waits, drains or arrives: no input of decide,
// the drain rates, the next look or the ETAs depends on the time), the
// previous decision sent nothing and noticed no change, the daemon owns exactly what that
// decision said it would, and the blockers are the same. Anything else is
// decided afresh. test/daemon/quiet.test.ts checks, on random states, that
// reusing gives exactly what deciding afresh gives.

import type { Blockers } from "../core/blockers.ts";
import type { Decision, Observation, Ownership, QueueSnapshot } from "../core/types.ts";

export interface QuietInput {
  /** The previous look and what was decided on it. */
  before: { observation: Observation; decision: Decision };
  blockedBefore: Blockers | undefined;
  observation: Observation;
  ownership: Ownership;
  blocked: Blockers | undefined;
  /** Managed queue names. */
  managed: readonly string[];
}

export function isQuietRepeat(i: QuietInput): boolean {
  const { decision } = i.before;
  if (decision.actions.length > 0) return false;
  // A notice of a change (a queue adopted, resumed by someone...) belongs to
  // the look that saw it; only the inventory ones come back every look.
  if (!decision.notices.every((n) => n.code === "unknown-queue" || n.code === "missing-queue")) return false;
  if (i.observation.api !== i.before.observation.api) return false;
  if (!sameQueues(i.observation.queues, i.before.observation.queues)) return false;
  if (!sameOwnership(i.ownership, decision.ownership)) return false;
  if (!sameBlockers(i.blocked, i.blockedBefore)) return false;
  const managed = new Set(i.managed);
  return i.observation.queues.every((q) => !managed.has(q.name) || q.active + q.waiting + q.paused === 0);
}

function sameQueues(a: readonly QueueSnapshot[], b: readonly QueueSnapshot[]): boolean {
  // The client hands back the very same queues for the same answer bytes (client.ts lastRead).
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (
      x.name !== y.name ||
      x.isPaused !== y.isPaused ||
      x.active !== y.active ||
      x.waiting !== y.waiting ||
      x.paused !== y.paused ||
      x.delayed !== y.delayed ||
      x.failed !== y.failed ||
      x.completed !== y.completed
    ) {
      return false;
    }
  }
  return true;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, k) => x === b[k]);

function sameOwnership(a: Ownership, b: Ownership): boolean {
  return sameList(a.pausedByUs, b.pausedByUs) && sameList(a.runningByUs, b.runningByUs) && sameList(a.held, b.held);
}

function sameBlockers(a: Blockers | undefined, b: Blockers | undefined): boolean {
  if (a === b) return true;
  return a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
