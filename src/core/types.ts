// The plain data that flows through the daemon: what the server said
// (Observation), what the daemon owns (Ownership), and what it decided
// (Decision). The Immich client produces Observations, the pure core turns
// them into Decisions, and the loop, the logs, `status` and the tests all
// read those same objects.

import type { Block } from "./blockers.ts";
import type { WaitMemory } from "./max-wait.ts";

/** Counts of one queue, as Immich reports them (both API families). */
export interface QueueCounts {
  active: number;
  completed: number;
  failed: number;
  delayed: number;
  waiting: number;
  paused: number;
}

/** One queue as seen in one observation. */
export interface QueueSnapshot extends QueueCounts {
  name: string;
  isPaused: boolean;
}

/** Everything the server said in one poll, already validated. */
export interface Observation {
  /** Clock time at which the answer arrived (ms since epoch). */
  at: number;
  /** Which API family produced it. */
  api: "queues" | "jobs";
  /** Every queue the server reported, in the server's order. */
  queues: QueueSnapshot[];
}

/**
 * What the daemon owns, kept between cycles (and optionally in a state file).
 * Level-triggered: it is reconciled against every observation, never trusted
 * over what the server says.
 */
export interface Ownership {
  /** Managed queues the daemon paused (to be resumed on exit). */
  pausedByUs: string[];
  /** Managed queues the daemon resumed or adopted, which keep their slot until they have no work. */
  runningByUs: string[];
  /** Managed queues someone else paused: never resumed by the daemon until someone else resumes them. */
  held: string[];
}

export const emptyOwnership = (): Ownership => ({ pausedByUs: [], runningByUs: [], held: [] });

/** What the decision needs of the configuration. */
export interface Policy {
  /** N: at most this many managed queues occupy a slot. */
  maxConcurrent: number;
  /** Managed queues, highest priority first. Every other queue is left alone. */
  priority: readonly string[];
  /** Rule 12: keep empty entry queues unpaused while slots are free (standby.ts). Off unless set. */
  standby?: boolean;
  /** Rule 7: MAX_WAIT in ms (max-wait.ts); undefined or null = off, the seed's strict behaviour. */
  maxWaitMs?: number | null;
}

export type ActionKind = "pause" | "resume";

/** Why an action is taken; stable codes for logs, metrics and tests. */
export type Reason =
  | "release" // rule 4: running with no work
  | "over-cap" // rule 2/8: more slot holders than N, lower priority
  | "fill-slot" // rule 3: a free slot and pending work
  | "window-closed" // rule 6: running outside its time window
  | "ml-down" // rule 13: needs the machine-learning service, which does not answer
  | "owner-hold" // rule 16: the owner holds it (or everything) for a while
  | "standby" // rule 12: an empty entry queue kept unpaused while a slot is free
  | "pass-through" // a queue whose jobs the server skips (the storage template off): it takes no slot (pass-through.ts)
  | "max-wait" // rule 7: a higher-priority queue waited longer than MAX_WAIT
  | "exit" // rule 9: resuming what the daemon paused on the way out
  | "resume-all"; // the recovery command

export interface Action {
  queue: string;
  kind: ActionKind;
  reason: Reason;
  /** One human sentence, for the log line. */
  detail: string;
}

/** Something worth one log line that is not an action. */
export interface Notice {
  level: "info" | "warn";
  code:
    | "adopted-paused" // at start, a paused managed queue is taken as the daemon's own
    | "held" // someone else paused a managed queue
    | "unheld" // someone else resumed a held queue
    | "resumed-by-other" // someone else resumed a queue the daemon had paused
    | "tool-held" // a tool such as immich-go holds its set of queues (tool-holds.ts)
    | "tool-released" // that set was resumed by someone else at once
    | "unknown-queue" // the server reports a queue the daemon does not know
    | "missing-queue"; // a configured queue the server lacks
  queue: string;
  message: string;
}

/** Per managed queue, the classification the decision used. */
export interface QueueView {
  name: string;
  /** 0 = highest; undefined for unmanaged queues. */
  priority?: number;
  managed: boolean;
  occupiesSlot: boolean;
  hasWork: boolean;
  held: boolean;
  owner: "daemon" | "other" | "none";
  /** What keeps it from running beyond the cap (a closed window, the ML gate, pressure); absent if nothing. */
  blocks?: readonly Block[];
  /** Its jobs are skipped by the server now (the storage template off): it takes no slot (pass-through.ts). */
  passThrough?: boolean;
}

export interface Decision {
  /** Pauses first, then resumes (rule 1). */
  actions: Action[];
  notices: Notice[];
  /** Ownership to keep if the actions are sent (safe whether or not they succeed). */
  ownership: Ownership;
  /** Slot-occupying managed queues before and after the actions. */
  occupiedBefore: number;
  occupiedAfter: number;
  queues: QueueView[];
  /** Queues standing by, unpaused and empty (rule 12), once the actions are applied. */
  standby: string[];
  /** Managed queues passing through: their jobs are skipped by the server, so they take no slot (pass-through.ts). */
  passThrough?: string[];
  /** What rule 7 remembers, to pass to the next decide(). */
  memory: WaitMemory;
  /** Rule 16: queues whose missing jobs Immich is to be asked to queue now (the legacy start command, force:false). */
  missing?: string[];
  /** Rule 16: the owner's temporary N, when one is in force (else the configured one applies). */
  n?: number;
}
