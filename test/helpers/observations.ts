// Builders for observations in decision tests: name only the queues that
// matter; every other queue of a v3.1 server is idle and running.
import type { Action, Observation, QueueSnapshot } from "../../src/core/types.ts";
import { KNOWN_QUEUES } from "../../src/core/queues.ts";

export type QueueSpec = Partial<Omit<QueueSnapshot, "name">>;

export function snapshot(name: string, spec: QueueSpec = {}): QueueSnapshot {
  return { name, isPaused: false, active: 0, completed: 0, failed: 0, delayed: 0, waiting: 0, paused: 0, ...spec };
}

/** A v3.1-like observation. Pending jobs given as `pending` land in waiting or paused per the flag. */
export function obs(specs: Record<string, QueueSpec & { pending?: number }>, at = 0): Observation {
  const names = [...KNOWN_QUEUES, ...Object.keys(specs).filter((n) => !KNOWN_QUEUES.includes(n))];
  return {
    at,
    api: "queues",
    queues: names.map((name) => {
      const { pending = 0, ...spec } = specs[name] ?? {};
      const q = snapshot(name, spec);
      if (q.isPaused) q.paused += pending;
      else q.waiting += pending;
      return q;
    }),
  };
}

/** What BullMQ does to the counts when the actions are applied (nothing runs in between). */
export function applyActions(o: Observation, actions: Action[]): Observation {
  const byQueue = new Map(actions.map((a) => [a.queue, a.kind]));
  return {
    ...o,
    queues: o.queues.map((q) => {
      const kind = byQueue.get(q.name);
      if (kind === "pause" && !q.isPaused) return { ...q, isPaused: true, paused: q.paused + q.waiting, waiting: 0 };
      if (kind === "resume" && q.isPaused) return { ...q, isPaused: false, waiting: q.waiting + q.paused, paused: 0 };
      return { ...q };
    }),
  };
}

/** Actions as "kind queue (reason)", for compact assertions. */
export const summary = (actions: Action[]) => actions.map((a) => `${a.kind} ${a.queue} (${a.reason})`);
