// The status snapshot: everything the status server, the page, the metrics
// and the notifications show, as one immutable plain object. The daemon's
// loop publishes a new one after every cycle (and every heartbeat) through a
// callback; readers only ever see a finished, frozen snapshot, so serving it
// never waits for the loop and the loop never waits for a reader.

import type { MlGate, PressureOver } from "../core/blockers.ts";
import type { Action, Notice, Observation, QueueView, Reason } from "../core/types.ts";
import type { WindowState } from "../core/windows.ts";
import type { ControlState } from "../core/control.ts";
import type { Health } from "../daemon/health.ts";
import type { AutoCapView } from "../daemon/auto-cap-loop.ts";

/** One managed queue as the page and the metrics show it. */
export interface QueueStatus {
  name: string;
  /** 0 = highest. */
  priority: number;
  /** running: unpaused with work; draining: paused, active jobs finishing; waiting: paused with pending work; held: a person paused it; standby: unpaused and empty, so new work starts at once (rule 12); pass-through: unpaused, its jobs skipped by the server (the storage template off), no slot; idle: nothing to do. */
  state: "running" | "draining" | "waiting" | "held" | "standby" | "pass-through" | "idle";
  active: number;
  pending: number;
  delayed: number;
  isPaused: boolean;
  occupiesSlot: boolean;
  held: boolean;
  /** Why a paused queue with pending work is not resumed now, in `status`'s words (held, a closed window, the ML service down, its turn). */
  waitsBecause?: string;
  /** The same as data (core/wait-reasons.ts): the page says it in the reader's language. */
  why?: { code: string; params: Record<string, unknown> };
  /** Its time window, if it has one: open or closed, and when that next changes. */
  window?: { window: string; open: boolean; nextChange?: string; nextChangeAt?: number };
  /** Seconds until its backlog is done, when known. */
  etaSeconds?: number;
  /** etaSeconds comes from the usual cost of its jobs (core/eta-priors.ts), not from its measured rate yet. */
  etaEstimated?: true;
  /** The latest action the daemon sent for it. */
  lastAction?: SentAction;
}

export interface SentAction {
  at: number;
  queue: string;
  kind: Action["kind"];
  reason: Reason;
  detail: string;
  ok: boolean;
}

/** The daemon's health plus what the status endpoints judge it by. */
export interface HealthStatus extends Health {
  /** When the loop last reported in (a heartbeat: after a cycle, or while waiting for Immich). */
  lastBeatAt: number;
  /** The loop is late (stuck) once the clock passes this. */
  staleAt: number;
  /** The last look at Immich succeeded. */
  ready: boolean;
}

/** A stretch of time during which a queue had active jobs; `end` moves on while it lasts. */
export interface ActiveSpan {
  start: number;
  end: number;
  /** The queue was idle at both looks but finished `jobs` jobs between them: it ran some time within [start, end]. */
  between?: true;
  jobs?: number;
}

/** A pause or resume by the daemon, or a person's pause (held), on the timeline. */
export interface TimelineMark {
  at: number;
  queue: string;
  kind: "pause" | "resume" | "held";
  reason: string;
}

export interface Timeline {
  /** The oldest time the history covers. */
  from: number;
  to: number;
  queues: { name: string; spans: ActiveSpan[] }[];
  marks: TimelineMark[];
}

export interface Counters {
  cycles: number;
  /** Actions sent and accepted, by kind and reason. */
  actions: { kind: string; reason: string; count: number }[];
  /** Failed requests to Immich, by error kind. */
  apiErrors: { kind: string; count: number }[];
  /** Cycle durations: counts per upper bound (seconds), cumulative like a Prometheus histogram. */
  cycleSeconds: { buckets: { le: number; count: number }[]; sum: number; count: number };
}

export interface StatusSnapshot {
  version: string;
  /** When this snapshot was published. */
  at: number;
  startedAt: number;
  config: {
    immichUrl: string;
    maxConcurrent: number;
    pollIntervalMs: number;
    dryRun: boolean;
    managed: readonly string[];
  };
  /** The server's version and API family, once connected. */
  server?: { version: string; api: "queues" | "jobs" };
  health: HealthStatus;
  slots: { used: number; max: number };
  queues: QueueStatus[];
  lastObservation?: Observation;
  lastDecision?: {
    at: number;
    actions: Action[];
    notices: Notice[];
    occupiedBefore: number;
    occupiedAfter: number;
    queues: QueueView[];
  };
  /** Unix ms of the last successful look at Immich. */
  lastSuccessAt?: number;
  counters: Counters;
  timeline: Timeline;
  /** Each windowed queue's time window at the last cycle: open or closed, and when that next changes (WINDOWS). */
  windows?: WindowState[];
  /** The machine-learning service (ML_URL) and host pressure (MAX_PRESSURE), when set. */
  gates?: { ml?: MlGate; pressure?: PressureOver[] };
  /** Backlog estimates from the measured drain rates: per queue with work, and overall (null: not measured yet). */
  etas?: {
    overallSeconds: number | null;
    /** Queues with work and neither a measured rate nor a prior (left out of the overall figure, which is then a lower bound). */
    unknown: string[];
    /** Queues with work whose time comes from the usual cost of their jobs, not a measured rate yet (the overall figure is an estimate). */
    estimated: string[];
    /** Queues with work a closed window or the ML gate keeps from running: no countdown, left out of the overall figure. */
    waiting: string[];
    queues: { name: string; jobs: number; ratePerSecond: number | null; seconds: number | null; estimated?: true }[];
  };
  /** When the daemon looks again and why (sooner than POLL_INTERVAL when a change is near). */
  nextLook?: { inSeconds: number; why: string };
  /** Rule 15 (MAX_CONCURRENT_JOBS=auto, TUNE_CONCURRENCY): N now and its range, the pressure against the target, each tuned queue's concurrency against the owner's, the last change and its reason. */
  autoCap?: AutoCapView;
  /** The owner's instructions (rule 16) and whether the page may give them. */
  control?: ControlView;
}

/** What /api/status says of the owner's instructions: never the token. */
export interface ControlView {
  /** CONTROL_TOKEN is set: the page and the API may give instructions. */
  enabled: boolean;
  /** TZ, in which "until 07:00" is read. */
  zone: string;
  /** MAX_CONCURRENT_JOBS, which a temporary N replaces. */
  configuredN: number;
  /** The instructions as kept (times in ms since epoch; `by` is the requester's address). */
  state: ControlState;
}

/** Freezes an object graph (the snapshot is shared with readers and must never change under them). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
