// The contract between the simulator's queue engine (engine.ts: BullMQ
// semantics, the pipeline, scenarios, the recording) and its HTTP face
// (http.ts: Immich's endpoints, auth, faults, the control endpoint). The
// engine has no timers: it is a discrete-event simulation advanced lazily to
// `clock.now()` whenever it is read or changed, so it runs identically in
// real, accelerated (ScaledClock) or virtual (VirtualClock) time.

import type { QueueCounts } from "../core/types.ts";
import type { HostProfile } from "./host-profiles.ts";
import type { OutsideLoad, Resource, ResourcePressure } from "./host.ts";

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

/** A queue's worker concurrency changed (PUT /api/system-config). */
export interface ConcurrencyChange {
  at: number;
  queue: string;
  from: number;
  to: number;
}

export interface ActiveInterval {
  queue: string;
  /** Start of a stretch with active > 0, and its end (undefined while it lasts). */
  from: number;
  to?: number;
  /** Its jobs were no-ops the server skips (storageTemplateMigration with the storage template off): no work, no slot. */
  noOp?: true;
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
  /** Every change of a queue's concurrency (Engine.setConcurrency with a new figure). */
  concurrencyChanges: ConcurrencyChange[];
  activeIntervals: ActiveInterval[];
  uploads: UploadRecord[];
  /**
   * The set of queues with active > 0 (in server order), each time it
   * changed. Entries are frozen: snapshots share them.
   */
  samples: { at: number; activeQueues: string[] }[];
  /** Jobs completed so far, per queue (the API reports `completed` ~0: Immich removes them). */
  completedJobs: Record<string, number>;
  /**
   * Jobs whose handler failed and that Immich dropped, per queue: machine-
   * learning jobs while the ML service was down. Not in the API's counts
   * (Immich catches the error, so BullMQ's `failed` stays 0).
   */
  failedJobs: Record<string, number>;
  /** Highest `active` ever seen per queue (never above its concurrency). */
  peakActive: Record<string, number>;
}

export interface EngineOptions {
  queues: readonly string[];
  /** Per-queue concurrency; defaults to profiles.DEFAULT_CONCURRENCY. */
  concurrency?: Record<string, number>;
  /** Mean job duration per queue in ms (photo jobs; videos have their own). */
  durations?: Record<string, number>;
  /** Mean durations for videos where they differ (defaults: pipeline.DEFAULT_VIDEO_DURATIONS). */
  videoDurations?: Record<string, number>;
  /** Each job takes mean·[1−jitter, 1+jitter] (uniform, seeded); default 0.4, 0 = exact means. */
  jitter?: number;
  /** Seed for job-duration jitter and scenario arrivals. Same seed, same run. */
  seed?: number;
  /**
   * Model the host's CPU (host.ts): jobs of the profile's queues cost CPU,
   * slow down when the demand exceeds the cores, and pressure accrues.
   * Without it jobs take their durations above and no pressure is kept.
   */
  host?: HostProfile;
}

/** An outside load on the modelled host: `cores` busy for `forMs` from now. */
export interface HostLoadOptions {
  cores: number;
  forMs: number;
  /** Share of its time it stalls on io / memory (0..1); default 0. */
  io?: number;
  memory?: number;
}

/** The modelled host now. */
export interface HostView {
  profile: string;
  cores: number;
  /** Cores wanted now: by Immich's active jobs, from outside, and the speed they get (1 = unhindered). */
  demand: number;
  jobs: number;
  outside: number;
  rate: number;
  /** /proc/pressure/{cpu,io,memory}. */
  pressure: Record<Resource, ResourcePressure>;
  /** The highest cpu some avg10 so far. */
  worstCpuAvg10: number;
  loads: OutsideLoad[];
}

/** BullMQ job states, as `GET /api/queues/{name}/jobs?status[]=` takes them. */
export type JobStatus = "active" | "failed" | "completed" | "delayed" | "waiting" | "paused";

/** One job as the job-listing endpoint shows it (QueueJobResponseDto). */
export interface EngineJob {
  /** BullMQ's id: a per-queue counter, as a string. */
  id: string;
  /** Immich's JobName, e.g. "AssetGenerateThumbnails". */
  name: string;
  /** Creation time (ms since epoch). */
  timestamp: number;
  data: Record<string, unknown>;
}

export interface EnqueueOptions {
  /** Start out delayed (counted under `delayed`, not work yet) for this long. */
  delayMs?: number;
  /** Fixed duration instead of the queue's jittered mean. */
  durationMs?: number;
  /** Immich job name; default: the queue's usual one (pipeline.GENERIC_JOB_NAME). */
  name?: string;
  data?: Record<string, unknown>;
  /**
   * Like Immich's facial-recognition scan: once started, the job holds its
   * active slot, checking every second, until none of these queues has an
   * active job; then it runs for its duration.
   */
  holdWhileActive?: readonly string[];
  /** Called (inside the simulation, at completion time) when the job completes. */
  onComplete?: () => void;
}

export interface QueueAllOptions {
  /** true: every asset (Immich's "All"); false: only the ones missing this step ("Missing"). */
  force?: boolean;
}

export interface ExistingAssetsOptions {
  photos?: number;
  videos?: number;
  /** Queues that get one job per asset now, e.g. ["smartSearch", "faceDetection"]; each continues down the pipeline. */
  queues: readonly string[];
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
  enqueue(queue: string, count: number, opts?: EnqueueOptions): void;
  /** Immich restart: active jobs go back to waiting, metadataExtraction is resumed, other flags kept. */
  restart(): void;
  /** Redis loss: every pause flag and every queued or active job gone. */
  redisLoss(): void;
  /** What happened so far. */
  recording(): Recording;
  /**
   * Switch the machine-learning service: while down, per-asset jobs of the
   * queues that call it fail fast and are dropped (pipeline.ML_CALLING_QUEUES).
   */
  setMachineLearning(up: boolean): void;
  /** Whether the machine-learning service is up (true unless switched off). */
  machineLearningUp(): boolean;
  /** A queue's worker concurrency now (how many of its jobs may be active at once). */
  concurrency(name: string): number;
  /**
   * Immich's `storageTemplate.enabled` (off by default, as in Immich). While
   * off, storageTemplateMigration's jobs are skipped at once: its stretches
   * of activity are recorded as no-ops, and a full migration run ends at once.
   */
  storageTemplateEnabled(): boolean;
  setStorageTemplate(enabled: boolean): void;
  /**
   * Change a queue's worker concurrency now, as Immich's QueueService does on
   * a config update (BullMQ's `worker.concurrency = n`): a raise starts
   * waiting jobs at once, a lowering lets active jobs finish and starts no
   * new one until active is below the new figure. Whole number ≥ 1.
   */
  setConcurrency(name: string, concurrency: number): void;
  /** The modelled host, advanced to now; undefined without EngineOptions.host. */
  host(): HostView | undefined;
  /** Add an outside load on the modelled host (throws without one). */
  addHostLoad(load: HostLoadOptions): void;
  /** Advance to the clock's now (called by everything above; exposed for tests). */
  advance(): void;

  /** The seed the engine was created with (scenarios derive their own streams from it). */
  readonly seed: number;
  /** Simulated now: clock.now() after advancing, or the event's time inside a scheduled action. */
  now(): number;
  /**
   * Run `action` at simulated time `at` (clamped to now), as an event in the
   * engine's own queue: scenarios use it for arrivals, so they are as
   * deterministic as job completions. The action may call any method here.
   */
  schedule(at: number, action: () => void): void;
  /** No job active, pending or delayed in any queue (scheduled actions may still come). */
  isIdle(): boolean;
  /** Time of the next event (job completion, delayed job due, scheduled action), if any. */
  nextEventAt(): number | undefined;
  /** Assets known to the server (uploaded, imported or added as existing). */
  assetCount(): number;
  /** Jobs of a queue in the given states, newest first per state (see engine.ts on waiting vs paused). */
  jobs(queue: string, statuses: readonly JobStatus[]): EngineJob[];
  /** Remove the queue's pending (waiting/paused) jobs, as `empty` / BullMQ drain(). Returns how many. */
  empty(queue: string): number;
  /**
   * What `start` does in Immich: one scan job (e.g. AssetGenerateThumbnailsQueueAll)
   * that, when it completes, queues one job per asset (all with `force`,
   * otherwise only those missing this step). Queues without per-asset work
   * get just the one job (e.g. DatabaseBackup).
   */
  queueAll(queue: string, opts?: QueueAllOptions): void;
  /**
   * Assets already in the library (past thumbnails) that need work in `queues`,
   * e.g. a machine-learning backlog after enabling ML. Not in recording().uploads.
   */
  addExisting(opts: ExistingAssetsOptions): void;
}
