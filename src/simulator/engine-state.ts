// The simulator engine's inner state: assets, jobs, queues and events, and
// how a queue and a job look from outside (view, jobView). Shared by the
// engine's layers (engine-queues.ts: the queues and building blocks;
// engine-handoffs.ts: the pipeline's hand-offs; engine-core.ts: time and the
// job lifecycle) and its public face (engine.ts). Split from engine.ts along
// that seam; no behaviour lives here.

import type { Deque } from "./sim-deque.ts";
import type { AssetKind, AssetSource } from "./pipeline.ts";
import type { EngineJob, EngineQueue, UploadRecord } from "./engine-types.ts";

export interface Asset {
  id: string;
  kind: AssetKind;
  source: AssetSource;
  /** Only uploads and imports are recorded; existing (backlog) assets are not. */
  record?: UploadRecord;
  /** Chained pipeline jobs of this asset not completed yet. */
  outstanding: number;
  /** Bit i set: a per-asset job of queue i has completed for it (the database, not Redis). */
  done: number;
}

export type JobState = "delayed" | "pending" | "active" | "gone";

export interface Job {
  id: number;
  queue: QueueState;
  name: string;
  createdAt: number;
  data: Record<string, unknown> | undefined;
  asset: Asset | undefined;
  /** On completion, queue the asset's next pipeline steps. */
  chained: boolean;
  fixedMs: number | undefined;
  hold: QueueState[] | undefined;
  onComplete: (() => void) | undefined;
  state: JobState;
  /** Started while the machine-learning service was down: it fails (and is dropped) when it ends. */
  failing: boolean;
  /** Incremented at every start: completion events of an earlier run (before a restart) are stale. */
  run: number;
  dueAt: number;
  /** On a modelled host (host.ts): unconstrained ms of work left as of `progressAt`, */
  work: number;
  progressAt: number;
  /** the cores it wants, its io stall share, */
  demand: number;
  io: number;
  /** and the generation of its completion event (a re-plan makes older ones stale). */
  gen: number;
}

export interface QueueState {
  index: number;
  name: string;
  concurrency: number;
  paused: boolean;
  pending: Deque<Job>;
  active: Set<Job>;
  delayed: Set<Job>;
  lastJobId: number;
  photoMean: number;
  videoMean: number;
  /** Next pipeline queues by asset kind, resolved against this profile's queues. */
  next: Record<AssetKind, QueueState[]>;
}

export enum Ev {
  Complete,
  Poll,
  Due,
  Action,
}

export interface SimEvent {
  at: number;
  seq: number;
  kind: Ev;
  job: Job | undefined;
  run: number;
  action: (() => void) | undefined;
  /** For a completion planned on the host: the job's gen when planned. */
  gen?: number;
}

/** A queue name this engine's profile does not have. */
export class UnknownQueueError extends Error {
  constructor(
    readonly queue: string,
    known: readonly string[],
  ) {
    super(`unknown queue "${queue}"; this server has: ${known.join(", ")}`);
    this.name = "UnknownQueueError";
  }
}

export function view(q: QueueState): EngineQueue {
  const pending = q.pending.length;
  return {
    name: q.name,
    isPaused: q.paused,
    counts: {
      active: q.active.size,
      // Immich removes completed jobs and catches handler errors (API.md §5).
      completed: 0,
      failed: 0,
      delayed: q.delayed.size,
      waiting: q.paused ? 0 : pending,
      paused: q.paused ? pending : 0,
    },
  };
}

export function jobView(j: Job): EngineJob {
  const data = j.data ?? (j.asset ? { source: j.asset.source, id: j.asset.id } : {});
  return { id: String(j.id), name: j.name, timestamp: j.createdAt, data: { ...data } };
}
