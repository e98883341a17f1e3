// The live view as plain data: what the screen shows at one moment, built
// from the simulator's queues, the daemon's state and its log. Rendering
// (render.ts, plain.ts) is a pure function of this object, so tests check
// the view without a terminal and the screen code has no logic of its own.

import { occupiesSlot, pending } from "../core/decide.ts";
import type { Eta } from "../core/eta.ts";
import type { QueueCounts, QueueSnapshot } from "../core/types.ts";
import type { Level } from "../daemon/log.ts";
import type { LogEntry, QueueAction } from "./demo-log.ts";

/**
 * running: unpaused. draining: paused by the daemon but still finishing its
 * active jobs (pausing never stops them). paused: paused, nothing active.
 * held: paused by someone else; the daemon will not resume it.
 */
export type QueueState = "running" | "draining" | "paused" | "held";

export interface ManagedRow {
  /** 1 = highest priority. */
  rank: number;
  name: string;
  state: QueueState;
  active: number;
  /** waiting + paused: the work not started yet. */
  pending: number;
  /** Jobs finished so far (for the progress bar). */
  completed: number;
  /** Holds one of the N slots (DESIGN.md §2: unpaused with work, or still draining). */
  occupiesSlot: boolean;
  /** The daemon's latest command for this queue and why, if it sent one. */
  action?: RowAction;
  /** Time to empty at the daemon's measured drain rate (null: not measured yet; absent: no work). */
  etaMs?: number | null;
}

export interface RowAction {
  kind: "pause" | "resume";
  reason: string;
  detail: string;
  /** Simulated time since the demo started. */
  elapsedMs: number;
}

export interface OtherRow {
  name: string;
  isPaused: boolean;
  active: number;
  pending: number;
}

export interface ViewLogLine {
  /** The log's sequence number (DemoLog): plain output prints each line once by it. */
  seq: number;
  /** Simulated time since the demo started. */
  elapsedMs: number;
  level: Level;
  msg: string;
}

export interface DemoView {
  /** Immich version the simulator plays, e.g. "3.1.0". */
  version: string;
  url: string;
  scenario: string;
  /** e.g. "1,000 photos, 30 videos". */
  workload: string;
  /** Simulated time since the demo started. */
  elapsedMs: number;
  speed: number;
  maxConcurrent: number;
  slotsInUse: number;
  daemon: "starting" | "ok" | "degraded";
  uploads: { total: number; thumbnailed: number; done: number };
  /** Managed queues the server has, highest priority first. */
  managed: ManagedRow[];
  /** Every other queue: the daemon leaves these alone. */
  others: OtherRow[];
  /** The daemon's estimate for all the work pending now (null: nothing measured, or no work). */
  etaMs: number | null;
  /** The latest daemon log lines, oldest first (more than the screen shows, so plain output misses none between frames). */
  log: ViewLogLine[];
}

/** One queue as the simulator reports it. */
export interface QueueInput {
  name: string;
  isPaused: boolean;
  counts: QueueCounts;
}

export interface ViewInput {
  version: string;
  url: string;
  scenario: string;
  workload: string;
  startedAt: number;
  now: number;
  speed: number;
  maxConcurrent: number;
  /** Managed queues, highest priority first (may name queues the server lacks). */
  priority: readonly string[];
  queues: readonly QueueInput[];
  /** Queues the daemon holds (paused by someone else). */
  held: readonly string[];
  /** Managed queues passing through (the storage template off): unpaused, no slot (core/pass-through.ts). */
  passThrough?: readonly string[];
  completed: Readonly<Record<string, number>>;
  actions: ReadonlyMap<string, QueueAction>;
  daemon: DemoView["daemon"];
  uploads: readonly { thumbnailAt?: number; doneAt?: number }[];
  log: readonly LogEntry[];
  /** The daemon's latest ETAs (Daemon.latest). */
  eta?: Eta;
}

/** The core's flat shape, so the view counts pending work and slots by the daemon's own definitions. */
const snapshot = (q: QueueInput): QueueSnapshot => ({ name: q.name, isPaused: q.isPaused, ...q.counts });

/** One log entry as the view carries it: time relative to the demo's start. */
export function viewLogLine(e: LogEntry, startedAt: number): ViewLogLine {
  return { seq: e.seq, elapsedMs: e.at - startedAt, level: e.level, msg: e.msg };
}

export function buildView(input: ViewInput): DemoView {
  const byName = new Map(input.queues.map((q) => [q.name, q]));
  const held = new Set(input.held);
  const managedNames = input.priority.filter((n) => byName.has(n));
  const managedSet = new Set(managedNames);

  const etas = new Map((input.eta?.queues ?? []).map((q) => [q.name, q.ms]));
  const managed = managedNames.map((name, i): ManagedRow => {
    const q = byName.get(name)!;
    const snap = snapshot(q);
    const active = snap.active;
    const state: QueueState = !q.isPaused ? "running" : held.has(name) ? "held" : active > 0 ? "draining" : "paused";
    const action = input.actions.get(name);
    return {
      rank: i + 1,
      name,
      state,
      active,
      pending: pending(snap),
      completed: input.completed[name] ?? 0,
      occupiesSlot: !input.passThrough?.includes(name) && occupiesSlot(snap),
      ...(action ? { action: { kind: action.kind, reason: action.reason, detail: action.detail, elapsedMs: action.at - input.startedAt } } : {}),
      ...(etas.has(name) ? { etaMs: etas.get(name)! } : {}),
    };
  });

  return {
    version: input.version,
    url: input.url,
    scenario: input.scenario,
    workload: input.workload,
    elapsedMs: input.now - input.startedAt,
    speed: input.speed,
    maxConcurrent: input.maxConcurrent,
    slotsInUse: managed.filter((r) => r.occupiesSlot).length,
    daemon: input.daemon,
    uploads: {
      total: input.uploads.length,
      thumbnailed: input.uploads.filter((u) => u.thumbnailAt !== undefined).length,
      done: input.uploads.filter((u) => u.doneAt !== undefined).length,
    },
    managed,
    others: input.queues
      .filter((q) => !managedSet.has(q.name))
      .map((q) => ({ name: q.name, isPaused: q.isPaused, active: q.counts.active, pending: pending(snapshot(q)) })),
    log: input.log.map((e) => viewLogLine(e, input.startedAt)),
    etaMs: input.eta?.overallMs ?? null,
  };
}
