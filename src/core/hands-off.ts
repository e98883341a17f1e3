// "Stop managing" (DESIGN.md §2 rule 16, the owner's resume-all): the
// decision while the owner wants the daemon out of the way. Every managed
// queue the daemon paused or holds for a person is resumed, once: ownership
// keeps a queue only until the server confirms its resume, so a queue a
// person pauses afterwards is theirs and is left alone. Nothing is paused,
// nothing else is resumed, until the owner releases; then the daemon picks
// up from what the server shows, like a start with a state file (rule 2).

import { hasWork, occupiesSlot } from "./counts.ts";
import { managedQueues } from "./reconcile.ts";
import type { Action, Decision, Observation, Ownership, Policy, QueueView } from "./types.ts";
import { emptyWaitMemory } from "./max-wait.ts";

export function handsOffDecision(observation: Observation, policy: Policy, owned: Ownership): Decision {
  const rank = new Map(policy.priority.map((name, i) => [name, i]));
  const managed = managedQueues(observation, policy.priority);
  const ours = new Set([...owned.pausedByUs, ...owned.held]);
  const actions: Action[] = managed
    .filter((q) => q.isPaused && ours.has(q.name))
    .map((q) => ({ queue: q.name, kind: "resume", reason: "resume-all", detail: "the owner asked to stop managing (resume-all): everything the daemon paused or held is resumed" }));
  const views: QueueView[] = observation.queues.map((q) => {
    const r = rank.get(q.name);
    return {
      name: q.name,
      ...(r !== undefined ? { priority: r } : {}),
      managed: r !== undefined,
      occupiesSlot: occupiesSlot(q),
      hasWork: hasWork(q),
      held: false,
      owner: r === undefined ? "none" : "other",
    };
  });
  const occupied = managed.filter(occupiesSlot).length;
  return {
    actions,
    notices: [],
    // Kept only until the server confirms the resume (reconcile.ts confirmAction drops it then).
    ownership: { pausedByUs: actions.map((a) => a.queue), runningByUs: [], held: [] },
    occupiedBefore: occupied,
    occupiedAfter: occupied + actions.filter((a) => hasWork(managed.find((q) => q.name === a.queue)!)).length,
    queues: views,
    standby: [],
    memory: emptyWaitMemory(),
  };
}
