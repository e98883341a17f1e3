// The actions that leave things as found (rule 9): what the exit resumes,
// and what `resume-all` resumes for recovery by hand. Plain functions of an
// observation and the ownership; decide.ts re-exports them.

import { managedQueues } from "./reconcile.ts";
import type { Action, Observation, Ownership, Policy } from "./types.ts";

/**
 * On graceful exit (rule 9): resume every queue the daemon paused that is
 * still paused, never a held one. Without an observation (Immich did not
 * answer in time) every queue the daemon paused is resumed blindly: a resume
 * is idempotent, and leaving queues paused behind is the worse failure. The
 * same goes for a queue the daemon paused that the observation leaves out
 * (rule 10: missing from an answer is not "not paused").
 */
export function exitActions(observation: Observation | undefined, ownership: Ownership): Action[] {
  const ours = new Set(ownership.pausedByUs);
  const held = new Set(ownership.held);
  let paused = ownership.pausedByUs;
  if (observation) {
    const listed = new Set(observation.queues.map((q) => q.name));
    paused = [...observation.queues.filter((q) => q.isPaused).map((q) => q.name), ...ownership.pausedByUs.filter((q) => !listed.has(q))];
  }
  return paused
    .filter((q) => ours.has(q) && !held.has(q))
    .map((queue) => ({ queue, kind: "resume", reason: "exit", detail: "the daemon paused it and is exiting" }));
}

/** `resume-all`, for recovery by hand: every paused managed queue, held ones too. */
export function resumeAllActions(observation: Observation, policy: Policy): Action[] {
  return managedQueues(observation, policy.priority)
    .filter((q) => q.isPaused)
    .map((q) => ({ queue: q.name, kind: "resume", reason: "resume-all", detail: "resume-all was asked for" }));
}
