// The daemon's decision: a pure function of (observation, policy, what the
// daemon owns, what rule 7 remembers) returning plain data: the actions with
// a reason for each, the ownership and memory to keep, and how every queue
// was classified. The loop, the logs, `status` and the tests all read this
// one object. DESIGN.md §2 rules 1–8, 12 and 13 are composed here, in this
// order within a cycle:
//   1. reconcile ownership with the server (rule 8, reconcile.ts); then
//      pause, gracefully, running queues a blocker stops (rules 6, 13:
//      blockers.ts, computed by the loop)
//   2. cap: the daemon's own running queues keep their slots (rule 2); the
//      remaining slots go to other slot holders by priority, and queues
//      running outside the daemon beyond them are paused (rules 2, 8)
//   3. bounded waiting: a queue that waited longer than MAX_WAIT behind
//      lower-priority holders has the lowest of them paused (rule 7, max-wait.ts)
//   4. fill: while a slot is free, resume the highest-priority paused queue
//      with pending work that no blocker keeps back (rules 1, 3, 6, 13, 14)
//   5. standby: slots still free keep empty entry queues unpaused (rule 12,
//      standby.ts)
//   6. release: pause every other running managed queue with no work (rule 4)
//   7. pass-through: a queue whose jobs the server skips (the storage
//      template off) takes no slot and is kept unpaused (pass-through.ts)
// Pauses always come before resumes (rule 1). Unmanaged queues are never
// touched (rule 5); held queues are never resumed (rule 8).

import { own } from "../shared/dict.ts";
import { type Blockers, pauseBlock, startBlock } from "./blockers.ts";
import { type ControlState, controlBlockers, controlN, mergeBlockers, missingDue } from "./control.ts";
import { formatUntil } from "./control-commands.ts";
import { hasWork, occupiesSlot, pending } from "./counts.ts";
import { handsOffDecision } from "./hands-off.ts";
import { formatDuration } from "./eta.ts";
import { grouped } from "./numbers.ts";
import { emptyWaitMemory, preempt, trackWaiting, type WaitMemory } from "./max-wait.ts";
import { managedQueues, reconcile } from "./reconcile.ts";
import { inventoryNotices } from "./inventory.ts";
import { passThroughDetail } from "./pass-through.ts";
import { chooseStandby } from "./standby.ts";
import { groupToolNotices } from "./tool-holds.ts";
import type {
  Action,
  Decision,
  Observation,
  Ownership,
  Policy,
  QueueSnapshot,
  QueueView,
} from "./types.ts";

export interface DecideInput {
  observation: Observation;
  policy: Policy;
  ownership: Ownership;
  /**
   * Without a state file, paused managed queues are taken as the daemon's:
   * all of them on the first cycle (true), or those named (queues seen for
   * the first time, say after an answer that left them out).
   */
  adoptPaused?: boolean | ReadonlySet<string>;
  /** What keeps queues from running beyond the cap (windows, ML gate, pressure); see blockers.ts. */
  blockers?: Blockers;
  /** What rule 7 remembered from the previous decision (max-wait.ts); empty at start. */
  memory?: WaitMemory;
  /** The owner's instructions in force at the observation's time (rule 16, control.ts), and TZ to word them in. */
  control?: { state: ControlState; zone: string };
  /** Managed queues whose jobs the server skips now (pass-through.ts): they take no slot and are kept unpaused. */
  passThrough?: readonly string[];
}

export { hasWork, occupiesSlot, pending } from "./counts.ts";
export { exitActions, resumeAllActions } from "./exit-actions.ts";

const plural = (n: number, word: string) => `${grouped(n)} ${word}${n === 1 ? "" : "s"}`;
const draining = (q: QueueSnapshot) =>
  q.active > 0 ? `; its ${plural(q.active, "active job")} ${q.active === 1 ? "finishes" : "finish"} first` : "";

export function decide(input: DecideInput): Decision {
  const { observation } = input;
  const control = input.control?.state;
  // Rule 16: stop managing replaces the decision; a temporary N replaces the
  // configured one; holds are blockers that pause gracefully, like a closed window.
  if (control?.handsOff) {
    const missing = missingDue(control, observation.queues);
    return { ...handsOffDecision(observation, input.policy, input.ownership), ...(missing.length ? { missing } : {}) };
  }
  const policy = { ...input.policy, maxConcurrent: controlN(input.policy.maxConcurrent, control) };
  // The zone is read only when a hold is worded (it may be a getter that loads the zone data).
  const blockersInForce = mergeBlockers(controlBlockers(control, input.policy.priority, (t) => formatUntil(t, input.control?.zone ?? "UTC")), input.blockers ?? {});
  return decideWith({ ...input, policy, ...(blockersInForce ? { blockers: blockersInForce } : {}) }, missingDue(control, observation.queues));
}

function decideWith(input: DecideInput, missing: string[]): Decision {
  const { observation, policy } = input;
  const n = policy.maxConcurrent;
  const rank = new Map(policy.priority.map((name, i) => [name, i]));
  const every = managedQueues(observation, policy.priority);
  const { ownership, notices, foreign } = reconcile(every, input.ownership, input.adoptPaused ?? false);
  // Pass-through queues (pass-through.ts) are managed but take no slot: rules 1–4, 7 and 12 see the others.
  const through = new Set((input.passThrough ?? []).filter((name) => rank.has(name)));
  const managed = every.filter((q) => !through.has(q.name));
  const resumedByOther = new Set(
    notices.filter((x) => x.code === "resumed-by-other" || x.code === "unheld").map((x) => x.queue),
  );
  notices.push(...inventoryNotices(observation, policy));

  const paused = new Set(ownership.pausedByUs);
  const running = new Set(ownership.runningByUs);
  const held = new Set(ownership.held);

  // The state each managed queue will be in once the actions are applied.
  const after = new Map(every.map((q) => [q.name, { ...q }]));
  const state = (name: string) => after.get(name)!;
  const actions: Action[] = [];
  const pause = (q: QueueSnapshot, reason: Action["reason"], detail: string) => {
    actions.push({ queue: q.name, kind: "pause", reason, detail });
    state(q.name).isPaused = true;
    paused.add(q.name); // kept in `running` until the server confirms (reconcile.ts)
  };

  const occupiedBefore = managed.filter(occupiesSlot).length;
  let memory = trackWaiting(input.memory ?? emptyWaitMemory(), managed, observation.at, resumedByOther);

  // Blockers that pause (rules 6, 13): active jobs finish, the slot frees after.
  for (const q of every) {
    const b = pauseBlock(input.blockers, q.name);
    if (b && !state(q.name).isPaused) pause(q, b.code === "ml-down" || b.code === "owner-hold" ? b.code : "window-closed", b.detail + draining(q));
  }

  // 2. Cap (rules 2 and 8). The daemon's own running queues first (non-
  // preemption), then every other slot holder by priority.
  const byPriority = (a: QueueSnapshot, b: QueueSnapshot) => rank.get(a.name)! - rank.get(b.name)!;
  const holders = managed.filter((q) => occupiesSlot(state(q.name)));
  const ours = holders.filter((q) => !q.isPaused && !foreign.has(q.name)).sort(byPriority);
  const others = holders.filter((q) => q.isPaused || foreign.has(q.name)).sort(byPriority);
  let budget = n;
  const kept: string[] = [];
  for (const q of [...ours, ...others]) {
    if (budget > 0) {
      budget--;
      kept.push(q.name);
      if (!q.isPaused) {
        running.add(q.name); // adopted: from now on it keeps its slot like one the daemon started
        foreign.delete(q.name);
      }
      continue;
    }
    if (q.isPaused) continue; // draining: nothing can stop active jobs; its slot frees when they finish
    pause(
      q,
      "over-cap",
      `over the cap of ${n} (${kept.join(", ")} hold${kept.length === 1 ? "s" : ""} the slot${n === 1 ? "" : "s"})` +
        draining(q) +
        // Rule 8: a queue someone resumed is told how to run it beyond the cap.
        (resumedByOther.has(q.name)
          ? `. It was resumed outside the daemon; to let it run beyond the cap raise MAX_CONCURRENT_JOBS or remove it from MANAGED_QUEUES`
          : ""),
    );
  }

  // 3. Bounded waiting (rule 7).
  const p = preempt({
    memory,
    now: observation.at,
    maxWaitMs: policy.maxWaitMs ?? null,
    n,
    holders: managed.filter((q) => occupiesSlot(state(q.name))).map((q) => ({ ...state(q.name), rank: rank.get(q.name)! })),
    waiting: managed
      .filter((q) => state(q.name).isPaused && !occupiesSlot(state(q.name)) && pending(q) > 0 && !held.has(q.name) && !startBlock(input.blockers, q.name))
      .map((q) => ({ name: q.name, rank: rank.get(q.name)! })),
  });
  if (p) {
    const victim = state(p.victim);
    pause(
      victim,
      "max-wait",
      `${p.waiter} has waited ${formatDuration(p.waitedMs)} for a slot, longer than MAX_WAIT (${formatDuration(policy.maxWaitMs!)})` +
        (victim.active > 0 ? `; its ${plural(victim.active, "active job")} ${victim.active === 1 ? "finishes" : "finish"} first, then ${p.waiter} starts` : ""),
    );
    memory = { ...memory, preempted: [...memory.preempted, p.victim] };
  }

  // 4. Fill free slots (rules 1 and 3).
  let occupied = managed.filter((q) => occupiesSlot(state(q.name))).length;
  for (const q of managed) {
    const s = state(q.name);
    if (!s.isPaused || held.has(q.name) || pending(s) === 0 || startBlock(input.blockers, q.name)) continue;
    // A resume needs a free slot, even for a queue still draining (which
    // already holds one): otherwise a draining low-priority queue would jump
    // ahead of higher-priority work waiting for that very slot.
    if (occupied >= n) break;
    if (!occupiesSlot(s)) occupied++;
    actions.push({
      queue: q.name,
      kind: "resume",
      reason: "fill-slot",
      detail: `${plural(pending(s), "job")} pending and a free slot (${occupied} of ${n} in use)`,
    });
    s.isPaused = false;
    running.add(q.name); // kept in `paused` until the server confirms (reconcile.ts)
  }

  // 5. Standby (rule 12), then 6. release (rule 4) beyond it.
  const standby = policy.standby
    ? chooseStandby(
        managed.map((q) => ({ name: q.name, empty: !hasWork(state(q.name)), held: held.has(q.name) || !!startBlock(input.blockers, q.name) })),
        n - occupied,
      )
    : [];
  for (const q of managed) {
    const s = state(q.name);
    if (standby.includes(q.name)) {
      running.add(q.name);
      foreign.delete(q.name);
      if (!s.isPaused) continue;
      actions.push({ queue: q.name, kind: "resume", reason: "standby", detail: `standing by for new work in a free slot (${occupied} of ${n} in use)` });
      s.isPaused = false;
    } else if (!s.isPaused && !hasWork(s)) {
      pause(q, "release", "no work left");
    }
  }

  // 7. Pass-through: kept unpaused, unless a person paused it (rule 8) or a blocker keeps it back.
  for (const q of every) {
    const s = state(q.name);
    if (!through.has(q.name) || held.has(q.name) || startBlock(input.blockers, q.name) || pauseBlock(input.blockers, q.name)) continue;
    running.add(q.name);
    foreign.delete(q.name);
    if (!s.isPaused) continue;
    actions.push({ queue: q.name, kind: "resume", reason: "pass-through", detail: passThroughDetail(q.name) });
    s.isPaused = false;
  }

  const views: QueueView[] = observation.queues.map((q) => {
    const r = rank.get(q.name);
    const isManaged = r !== undefined;
    const s = isManaged ? state(q.name) : q;
    return {
      name: q.name,
      ...(isManaged ? { priority: r } : {}),
      managed: isManaged,
      occupiesSlot: !through.has(q.name) && occupiesSlot(s),
      ...(through.has(q.name) ? { passThrough: true } : {}),
      hasWork: hasWork(q),
      held: held.has(q.name),
      owner: !isManaged ? "none" : held.has(q.name) || foreign.has(q.name) ? "other" : "daemon",
      ...blocksOf(input.blockers, q.name),
    };
  });

  return {
    actions: [...actions.filter((a) => a.kind === "pause"), ...actions.filter((a) => a.kind === "resume")],
    // immich-go's five paused or resumed together: one line, not five (tool-holds.ts).
    notices: groupToolNotices(notices, observation),
    ownership: { pausedByUs: [...paused], runningByUs: [...running], held: [...held] },
    occupiedBefore,
    occupiedAfter: occupied,
    queues: views,
    standby,
    ...(through.size ? { passThrough: [...through] } : {}),
    memory,
    ...(missing.length ? { missing } : {}),
    ...(input.control?.state.n ? { n } : {}),
  };
}

const blocksOf = (b: Blockers | undefined, name: string) => {
  const blocks = own(b, name);
  return blocks ? { blocks } : {};
};
