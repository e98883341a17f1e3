// Reconciles what the daemon believes it owns with what the server says now
// (DESIGN.md §2 rule 8). The server is the truth: a pause the daemon did not
// make is a person's (held), a resume it did not make is someone else's
// (treated like a queue found running at start-up).
//
// Ownership is recorded *before* a command is sent and confirmed by the next
// observation: a resume adds the queue to runningByUs and keeps it in
// pausedByUs, a pause adds it to pausedByUs and keeps it in runningByUs.
// Whatever the outcome of the command (error, timeout, lost answer), the next
// observation is then attributed to the daemon, never to a person, so a lost
// answer can never turn into a permanent hold. A command the server answered
// with success is confirmed at once (confirmAction), so that a person's pause
// or resume landing before the next observation is still seen as theirs.

import type { Action, Notice, Observation, Ownership, QueueSnapshot } from "./types.ts";

export interface Reconciled {
  ownership: Ownership;
  notices: Notice[];
  /** Managed queues observed running that the daemon neither started nor adopted. */
  foreign: Set<string>;
}

/**
 * @param adoptPaused at start without a state file, paused managed queues
 *   are taken as the daemon's own (and said so) rather than as held: all of
 *   them (true), or only those named (the queues this process sees for the
 *   first time).
 *
 * A managed queue the observation does not list keeps whatever the daemon
 * knew of it (rule 10: unknown is not empty). An answer can leave queues out
 * (a proxy's cache, a server mid-restart, an older version); forgetting them
 * then would turn the daemon's own pauses into a person's when they show up
 * again, and leave them paused on exit (issue 16).
 */
export function reconcile(
  managed: readonly QueueSnapshot[],
  owned: Ownership,
  adoptPaused: boolean | ReadonlySet<string>,
): Reconciled {
  const adopts = (name: string) => (typeof adoptPaused === "boolean" ? adoptPaused : adoptPaused.has(name));
  const paused = new Set(owned.pausedByUs);
  const running = new Set(owned.runningByUs);
  const held = new Set(owned.held);
  const notices: Notice[] = [];
  const foreign = new Set<string>();
  const notice = (code: Notice["code"], level: Notice["level"], queue: string, message: string) =>
    notices.push({ code, level, queue, message });

  for (const q of managed) {
    const name = q.name;
    if (!q.isPaused) {
      if (running.has(name)) {
        paused.delete(name);
      } else if (paused.has(name)) {
        paused.delete(name);
        foreign.add(name);
        notice("resumed-by-other", "info", name, `${name} was resumed by someone else (the admin page, or Immich at its start)`);
      } else if (held.has(name)) {
        held.delete(name);
        foreign.add(name);
        notice("unheld", "info", name, `${name} was resumed by someone else; the daemon manages it again`);
      } else {
        foreign.add(name);
      }
    } else if (paused.has(name)) {
      running.delete(name);
    } else if (held.has(name)) {
      running.delete(name);
    } else if (adopts(name)) {
      paused.add(name);
      notice("adopted-paused", "info", name, `${name} was paused at start; taking it as paused by the daemon (it will be resumed when its turn comes and on exit)`);
    } else {
      running.delete(name);
      held.add(name);
      notice("held", "warn", name, `${name} was paused by someone else; holding it: the daemon will not resume it until someone else does`);
    }
  }

  return {
    ownership: { pausedByUs: [...paused], runningByUs: [...running], held: [...held] },
    notices,
    foreign,
  };
}

/** The managed queues of an observation, in priority order. */
export function managedQueues(obs: Observation, priority: readonly string[]): QueueSnapshot[] {
  const byName = new Map(obs.queues.map((q) => [q.name, q]));
  return priority.flatMap((name) => {
    const q = byName.get(name);
    return q ? [q] : [];
  });
}

/** The server answered `action` with success: the other half of the intent recorded before sending is dropped. */
export function confirmAction(owned: Ownership, action: Action): Ownership {
  const drop = (list: string[]) => list.filter((q) => q !== action.queue);
  return action.kind === "resume"
    ? { ...owned, pausedByUs: drop(owned.pausedByUs) }
    : { ...owned, runningByUs: drop(owned.runningByUs) };
}

/**
 * The server refused `action` (a 4xx answer: it was certainly not applied):
 * the intent recorded before sending is withdrawn, so the daemon never claims
 * a pause it did not make. Failures that may have been applied (timeouts,
 * 5xx, lost answers) keep the intent; the next observation settles them.
 */
export function withdrawAction(owned: Ownership, action: Action): Ownership {
  const drop = (list: string[]) => list.filter((q) => q !== action.queue);
  return action.kind === "pause"
    ? { ...owned, pausedByUs: drop(owned.pausedByUs) }
    : { ...owned, runningByUs: drop(owned.runningByUs) };
}
