// The contract between the simulator's queue engine (engine.ts: BullMQ
// semantics, the pipeline, scenarios, the recording) and its HTTP face
// (http.ts: Immich's endpoints, auth, faults, the control endpoint). The
// engine has no timers: it is a discrete-event simulation advanced lazily to
// `clock.now()` whenever it is read or changed, so it runs identically in
// real, accelerated (ScaledClock) or virtual (VirtualClock) time.

import type { QueueCounts } from "../core/types.ts";

export interface EngineQueue {
  name: string;
  isPaused: boolean;
  counts: QueueCounts;
}

/** Who changed a pause flag: an API key's label, or the server itself. */
export type Actor = string; // e.g. "daemon", "person", "restart", "redis-loss", "control"

export interface PauseChange {
  at: number;
  queue: string;
  paused: boolean;
  actor: Actor;
}

export interface ActiveInterval {
  queue: string;
  /** Start of a stretch with active > 0, and its end (undefined while it lasts). */
  from: number;
  to?: number;
}

export interface UploadRecord {
  id: string;
  kind: "photo" | "video";
  source: "upload" | "library";
  arrivedAt: number;
  /** When its thumbnail job finished (undefined until then). */
  thumbnailAt?: number;
  /** When every job of its pipeline had finished. */
  doneAt?: number;
}

export interface Recording {
  startedAt: number;
  now: number;
  pauseChanges: PauseChange[];
  activeIntervals: ActiveInterval[];
  uploads: UploadRecord[];
  /** Highest number of queues with active > 0 at once, and of those among a given set. */
  samples: { at: number; activeQueues: string[] }[];
}

export interface EngineOptions {
  queues: readonly string[];
  /** Per-queue concurrency; defaults to profiles.DEFAULT_CONCURRENCY. */
  concurrency?: Record<string, number>;
  /** Mean job duration per queue in ms (photo jobs; videos have their own). */
  durations?: Record<string, number>;
  /** Seed for job-duration jitter and scenario arrivals. Same seed, same run. */
  seed?: number;
}

export interface UploadOptions {
  photos?: number;
  videos?: number;
  /** "library" enters at library → sidecar → metadataExtraction. */
  source?: "upload" | "library";
}

export interface Engine {
  readonly queueNames: readonly string[];
  /** All queues in server order, advanced to now. */
  list(): EngineQueue[];
  /** One queue, advanced to now; undefined if the profile lacks it. */
  get(name: string): EngineQueue | undefined;
  /** Idempotent. Records a PauseChange only when the flag actually changes. */
  setPaused(name: string, paused: boolean, actor: Actor): EngineQueue;
  /** New assets entering the pipeline now. Returns their ids. */
  upload(opts: UploadOptions): string[];
  /** Add `count` jobs straight to a queue (e.g. nightly runs); `delayMs` makes them delayed first. */
  enqueue(queue: string, count: number, opts?: { delayMs?: number; durationMs?: number }): void;
  /** Immich restart: active jobs go back to waiting, metadataExtraction is resumed, other flags kept. */
  restart(): void;
  /** Redis loss: every pause flag and every queued or active job gone. */
  redisLoss(): void;
  /** What happened so far. */
  recording(): Recording;
  /** Advance to the clock's now (called by everything above; exposed for tests). */
  advance(): void;
}
