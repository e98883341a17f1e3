// The simulator's queue engine: Immich's BullMQ queues as a discrete-event
// simulation. There are no timers: every read or change first advances the
// simulation to clock.now(), processing job completions, delayed jobs coming
// due and scheduled actions in time order. So the same engine runs in real
// time, sped up (ScaledClock) or in virtual time (VirtualClock: hours of
// simulated work in milliseconds), with identical results for one seed.
//
// BullMQ semantics modelled (API.md §5, recorded-v3.1.0/transcript.md):
// per-queue concurrency; a job starts only while its queue is unpaused and
// below concurrency; pausing stops new starts but never interrupts active
// jobs; pending jobs count as `paused` (and `waiting` 0) while the queue is
// paused; delayed jobs are not work until due; `completed` and `failed` read
// 0 because Immich removes completed jobs and catches handler errors.

import type { Clock } from "../shared/clock.ts";
import { DEFAULT_CONCURRENCY } from "./profiles.ts";
import type {
  Actor,
  Engine,
  EngineJob,
  EngineOptions,
  EngineQueue,
  EnqueueOptions,
  ExistingAssetsOptions,
  JobStatus,
  QueueAllOptions,
  UploadOptions,
  UploadRecord,
} from "./engine-types.ts";
import {
  type AssetKind,
  type AssetSource,
  ASSET_JOB_NAME,
  DEFAULT_DURATIONS,
  DEFAULT_JITTER,
  DEFAULT_VIDEO_DURATIONS,
  entryQueues,
  FALLBACK_DURATION_MS,
  GENERIC_JOB_NAME,
  PER_ASSET_QUEUES,
  QUEUE_ALL_JOB_NAME,
  RESCAN_PREREQUISITE,
  successors,
} from "./pipeline.ts";
import { createRng, type Rng } from "./rng.ts";
import { Recorder } from "./recorder.ts";
import { EventHeap } from "./sim-heap.ts";
import { Deque } from "./sim-deque.ts";

/** How often a holding job (the facial-recognition scan) re-checks, as Immich does. */
const HOLD_POLL_MS = 1_000;
/** A `*QueueAll` scan job: one database query, then it queues the per-asset jobs. */
const SCAN_JOB_MS = 1_000;
/** A full storage-template migration run moves every asset's files: per asset. */
const MIGRATION_PER_ASSET_MS = 20;
/** Assets' done-steps are a bitmask over queue indices. */
const MAX_QUEUES = 31;

interface Asset {
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

type JobState = "delayed" | "pending" | "active" | "gone";

interface Job {
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
  /** Incremented at every start: completion events of an earlier run (before a restart) are stale. */
  run: number;
  dueAt: number;
}

interface QueueState {
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

const enum Ev {
  Complete,
  Poll,
  Due,
  Action,
}

interface SimEvent {
  at: number;
  seq: number;
  kind: Ev;
  job: Job | undefined;
  run: number;
  action: (() => void) | undefined;
}

export function createEngine(clock: Clock, opts: EngineOptions): Engine {
  return new SimEngine(clock, opts);
}

class SimEngine implements Engine {
  readonly queueNames: readonly string[];
  readonly seed: number;
  private readonly queues: QueueState[];
  private readonly byName = new Map<string, QueueState>();
  private readonly heap = new EventHeap<SimEvent>();
  private readonly rng: Rng;
  private readonly jitter: number;
  private readonly recorder: Recorder;
  private readonly assets: Asset[] = [];
  private readonly dirty: QueueState[] = [];
  private readonly isDirty: boolean[];
  private readonly thumbnails: QueueState | undefined;
  private time: number;
  /** True while processing events or a change: nested calls neither advance nor settle. */
  private busy = false;

  constructor(
    private readonly clock: Clock,
    opts: EngineOptions,
  ) {
    if (opts.queues.length > MAX_QUEUES) throw new RangeError(`at most ${MAX_QUEUES} queues, got ${opts.queues.length}`);
    if (new Set(opts.queues).size !== opts.queues.length) throw new RangeError("queue names must be unique");
    this.queueNames = [...opts.queues];
    this.seed = (opts.seed ?? 1) >>> 0;
    this.rng = createRng(this.seed).fork("durations");
    this.jitter = opts.jitter ?? DEFAULT_JITTER;
    if (!(this.jitter >= 0 && this.jitter < 1)) throw new RangeError(`jitter must be in [0, 1), got ${opts.jitter}`);
    this.time = clock.now();
    this.recorder = new Recorder(this.queueNames, this.time);
    this.isDirty = this.queueNames.map(() => false);

    const concurrency = { ...DEFAULT_CONCURRENCY, ...opts.concurrency };
    const photo = { ...DEFAULT_DURATIONS, ...opts.durations };
    // Videos: videoDurations, else a duration given for the queue (it applies
    // to both kinds), else the video defaults, else the photo mean.
    const video = { ...DEFAULT_VIDEO_DURATIONS, ...opts.durations, ...opts.videoDurations };
    this.queues = this.queueNames.map((name, index) => {
      const c = concurrency[name] ?? 1;
      if (!(Number.isInteger(c) && c >= 1)) throw new RangeError(`concurrency of ${name} must be a whole number ≥ 1, got ${c}`);
      const photoMean = photo[name] ?? FALLBACK_DURATION_MS;
      const videoMean = video[name] ?? photoMean;
      for (const [kind, ms] of [["photo", photoMean], ["video", videoMean]] as const) {
        if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`${kind} duration of ${name} must be ≥ 0 ms, got ${ms}`);
      }
      const q: QueueState = {
        index,
        name,
        concurrency: c,
        paused: false,
        pending: new Deque<Job>(),
        active: new Set<Job>(),
        delayed: new Set<Job>(),
        lastJobId: 0,
        photoMean,
        videoMean,
        next: { photo: [], video: [] },
      };
      this.byName.set(name, q);
      return q;
    });
    const has = (q: string) => this.byName.has(q);
    for (const q of this.queues) {
      for (const kind of ["photo", "video"] as const) {
        q.next[kind] = successors(q.name, kind, has).map((n) => this.byName.get(n)!);
      }
    }
    this.thumbnails = this.byName.get("thumbnailGeneration");
  }

  // ---- reading -------------------------------------------------------------

  list(): EngineQueue[] {
    this.advance();
    return this.queues.map((q) => view(q));
  }

  get(name: string): EngineQueue | undefined {
    this.advance();
    const q = this.byName.get(name);
    return q && view(q);
  }

  now(): number {
    this.advance();
    return this.time;
  }

  recording() {
    this.advance();
    return this.recorder.snapshot(this.time);
  }

  isIdle(): boolean {
    this.advance();
    return this.queues.every((q) => q.active.size === 0 && q.pending.length === 0 && q.delayed.size === 0);
  }

  nextEventAt(): number | undefined {
    this.advance();
    return this.heap.peek()?.at;
  }

  assetCount(): number {
    this.advance();
    return this.assets.length;
  }

  /**
   * Newest first per state. `waiting` lists the pending jobs whether or not
   * the queue is paused: BullMQ adds `paused` to a `waiting` query, and the
   * recorded server answered both `status[]=waiting` and `status[]=paused`
   * with the same 32 jobs of a paused queue. `paused` alone lists them only
   * while the queue is paused. Completed and failed jobs are never kept.
   */
  jobs(name: string, statuses: readonly JobStatus[]): EngineJob[] {
    this.advance();
    const q = this.need(name);
    const seen = new Set<Job>();
    const out: EngineJob[] = [];
    const add = (jobs: Iterable<Job>) => {
      for (const j of jobs) {
        if (seen.has(j)) continue;
        seen.add(j);
        out.push(jobView(j));
      }
    };
    for (const status of statuses) {
      if (status === "active") add([...q.active].reverse());
      else if (status === "waiting" || (status === "paused" && q.paused)) add([...q.pending].reverse());
      else if (status === "delayed") add([...q.delayed].sort((a, b) => a.dueAt - b.dueAt || a.id - b.id));
    }
    return out;
  }

  // ---- changing ------------------------------------------------------------

  setPaused(name: string, paused: boolean, actor: Actor): EngineQueue {
    const q = this.need(name);
    this.change(() => this.flag(q, paused, actor));
    return view(q);
  }

  upload(opts: UploadOptions): string[] {
    const ids: string[] = [];
    const source = opts.source ?? "upload";
    this.change(() => {
      for (const [kind, n] of [["photo", opts.photos ?? 0], ["video", opts.videos ?? 0]] as const) {
        for (let i = 0; i < n; i++) ids.push(this.newUpload(kind, source).id);
      }
    });
    return ids;
  }

  enqueue(name: string, count: number, opts: EnqueueOptions = {}): void {
    const q = this.need(name);
    const hold = opts.holdWhileActive?.flatMap((n) => this.byName.get(n) ?? []);
    this.change(() => {
      for (let i = 0; i < count; i++) {
        this.add(
          this.newJob(q, opts.name ?? GENERIC_JOB_NAME[name] ?? name, {
            data: opts.data,
            fixedMs: opts.durationMs,
            hold,
            onComplete: opts.onComplete,
          }),
          opts.delayMs,
        );
      }
    });
  }

  queueAll(name: string, opts: QueueAllOptions = {}): void {
    const q = this.need(name);
    const force = opts.force ?? false;
    const jobName = QUEUE_ALL_JOB_NAME[name] ?? GENERIC_JOB_NAME[name] ?? name;
    this.change(() => {
      if (name === "storageTemplateMigration") {
        // One long job that moves every asset's files; no per-asset jobs.
        const ms = Math.max(SCAN_JOB_MS, this.assets.length * MIGRATION_PER_ASSET_MS);
        this.add(this.newJob(q, jobName, { fixedMs: ms }));
      } else if (PER_ASSET_QUEUES.includes(name)) {
        // Immich's recognition scan first waits for thumbnails and face
        // detection to go quiet, holding its active slot meanwhile.
        const hold =
          name === "facialRecognition"
            ? ["thumbnailGeneration", "faceDetection"].flatMap((n) => this.byName.get(n) ?? [])
            : undefined;
        this.add(
          this.newJob(q, jobName, {
            data: { force },
            fixedMs: SCAN_JOB_MS,
            hold,
            onComplete: () => this.rescan(q, force),
          }),
        );
      } else {
        this.add(this.newJob(q, jobName, {}));
      }
    });
  }

  addExisting(opts: ExistingAssetsOptions): void {
    const targets = opts.queues.map((n) => this.need(n));
    // Existing assets are past metadata, storage template and thumbnails.
    let done = 0;
    for (const n of ["sidecar", "metadataExtraction", "storageTemplateMigration", "thumbnailGeneration"]) {
      const q = this.byName.get(n);
      if (q) done |= 1 << q.index;
    }
    this.change(() => {
      for (const [kind, n] of [["photo", opts.photos ?? 0], ["video", opts.videos ?? 0]] as const) {
        for (let i = 0; i < n; i++) {
          const asset = this.newAsset(kind, "upload");
          asset.done = done;
          for (const q of targets) this.addAssetJob(q, asset);
        }
      }
    });
  }

  empty(name: string): number {
    const q = this.need(name);
    let removed = 0;
    this.change(() => {
      removed = q.pending.length;
      for (const j of q.pending) j.state = "gone";
      q.pending.clear();
      this.touch(q);
    });
    return removed;
  }

  /**
   * An Immich restart with Redis intact: active jobs stall and BullMQ puts
   * them back at the head of the queue (they run again from the start); the
   * pause flags live in Redis and survive, except metadataExtraction's, which
   * Immich resumes unconditionally when its workers start.
   */
  restart(): void {
    this.change(() => {
      for (const q of this.queues) {
        const stalled = [...q.active];
        q.active.clear();
        for (let i = stalled.length - 1; i >= 0; i--) {
          const j = stalled[i]!;
          j.state = "pending";
          j.run++;
          q.pending.unshift(j);
        }
        this.touch(q);
      }
      const metadata = this.byName.get("metadataExtraction");
      if (metadata) this.flag(metadata, false, "restart");
    });
  }

  /** Redis lost its data: every flag cleared, every queued, delayed or active job gone. */
  redisLoss(): void {
    // Every job becomes "gone", which makes its pending events stale (handle checks the state).
    this.change(() => {
      for (const q of this.queues) {
        for (const j of q.active) j.state = "gone";
        for (const j of q.pending) j.state = "gone";
        for (const j of q.delayed) j.state = "gone";
        q.active.clear();
        q.pending.clear();
        q.delayed.clear();
        this.flag(q, false, "redis-loss");
        this.touch(q);
      }
    });
  }

  schedule(at: number, action: () => void): void {
    this.advance();
    this.push(Math.max(at, this.time), Ev.Action, undefined, action);
  }

  // ---- the simulation ------------------------------------------------------

  /**
   * Process every event due by clock.now(), one instant at a time: all events
   * of an instant, then starts in every queue that changed, then the
   * recording of that instant.
   */
  advance(): void {
    if (this.busy) return;
    const target = this.clock.now();
    this.busy = true;
    try {
      for (let e = this.heap.peek(); e && e.at <= target; e = this.heap.peek()) {
        const at = e.at;
        if (at > this.time) this.time = at;
        while ((e = this.heap.peek()) && e.at === at) this.handle(this.heap.pop()!);
        this.settle();
      }
      if (target > this.time) this.time = target;
    } finally {
      this.busy = false;
    }
  }

  /** Apply a change at the current instant. From inside a scheduled action it joins that instant. */
  private change(fn: () => void): void {
    this.advance();
    if (this.busy) return fn();
    this.busy = true;
    try {
      fn();
      this.settle();
    } finally {
      this.busy = false;
    }
  }

  private handle(e: SimEvent): void {
    if (e.kind === Ev.Action) return e.action!();
    const j = e.job!;
    switch (e.kind) {
      case Ev.Due:
        if (j.state !== "delayed") return;
        j.queue.delayed.delete(j);
        j.state = "pending";
        j.queue.pending.push(j);
        this.touch(j.queue);
        return;
      case Ev.Poll:
        if (j.state !== "active" || j.run !== e.run) return;
        if (j.hold!.some((q) => q.active.size > 0)) this.push(this.time + HOLD_POLL_MS, Ev.Poll, j);
        else this.push(this.time + this.duration(j), Ev.Complete, j);
        return;
      case Ev.Complete:
        if (j.state !== "active" || j.run !== e.run) return;
        this.complete(j);
        return;
    }
  }

  /** Start what can start in the queues that changed, then record their activity. */
  private settle(): void {
    for (const q of this.dirty) {
      while (!q.paused && q.active.size < q.concurrency && q.pending.length > 0) this.start(q.pending.shift()!);
    }
    for (const q of this.dirty) {
      this.recorder.activity(q.index, this.time, q.active.size);
      this.isDirty[q.index] = false;
    }
    this.recorder.endInstant(this.time);
    this.dirty.length = 0;
  }

  private start(j: Job): void {
    const q = j.queue;
    j.state = "active";
    j.run++;
    q.active.add(j);
    this.recorder.started(q.index, q.active.size);
    // A holding job checks at once, but only after this instant has settled.
    if (j.hold && j.hold.length > 0) this.push(this.time, Ev.Poll, j);
    else this.push(this.time + this.duration(j), Ev.Complete, j);
  }

  private complete(j: Job): void {
    const q = j.queue;
    q.active.delete(j);
    j.state = "gone";
    this.recorder.jobCompleted(q.index);
    this.touch(q);
    const a = j.asset;
    if (a) {
      a.done |= 1 << q.index;
      if (q === this.thumbnails && a.record && a.record.thumbnailAt === undefined) a.record.thumbnailAt = this.time;
      if (j.chained) {
        for (const next of q.next[a.kind]) this.addAssetJob(next, a);
        a.outstanding--;
        if (a.outstanding === 0 && a.record) a.record.doneAt = this.time;
      }
    }
    j.onComplete?.();
  }

  /** Per-asset jobs a finished scan queues: every eligible asset, or only those missing the step. */
  private rescan(q: QueueState, force: boolean): void {
    const bit = 1 << q.index;
    const pre = this.byName.get(RESCAN_PREREQUISITE[q.name] ?? "");
    const preBit = pre ? 1 << pre.index : 0;
    for (const a of this.assets) {
      if (q.name === "videoConversion" && a.kind !== "video") continue;
      if (q.name === "library" && a.source !== "library") continue;
      if (!force && ((a.done & bit) !== 0 || (a.done & preBit) !== preBit)) continue;
      // Jobs queued by a scan do not chain on (Immich chains only uploads).
      this.add(this.newJob(q, ASSET_JOB_NAME[q.name] ?? q.name, { asset: a }));
    }
  }

  private duration(j: Job): number {
    if (j.fixedMs !== undefined) return Math.max(1, j.fixedMs);
    const mean = j.asset?.kind === "video" ? j.queue.videoMean : j.queue.photoMean;
    return Math.max(1, Math.round(this.jitter > 0 ? this.rng.around(mean, this.jitter) : mean));
  }

  // ---- building blocks -----------------------------------------------------

  private flag(q: QueueState, paused: boolean, actor: Actor): void {
    if (q.paused === paused) return;
    q.paused = paused;
    this.recorder.pauseChange({ at: this.time, queue: q.name, paused, actor });
    this.touch(q);
  }

  private newUpload(kind: AssetKind, source: AssetSource): Asset {
    const asset = this.newAsset(kind, source);
    asset.record = { id: asset.id, kind, source, arrivedAt: this.time };
    this.recorder.upload(asset.record);
    const first = entryQueues(source, kind, (n) => this.byName.has(n));
    for (const n of first) this.addAssetJob(this.byName.get(n)!, asset);
    if (first.length === 0) asset.record.doneAt = this.time;
    return asset;
  }

  private newAsset(kind: AssetKind, source: AssetSource): Asset {
    const n = this.assets.length + 1;
    // UUID-shaped like Immich's asset ids, but deterministic.
    const id = `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
    const asset: Asset = { id, kind, source, outstanding: 0, done: 0 };
    this.assets.push(asset);
    return asset;
  }

  /** A pipeline job for an asset, which queues the next steps when it completes. */
  private addAssetJob(q: QueueState, asset: Asset): void {
    asset.outstanding++;
    this.add(this.newJob(q, ASSET_JOB_NAME[q.name] ?? q.name, { asset, chained: true }));
  }

  private newJob(
    q: QueueState,
    name: string,
    o: {
      asset?: Asset;
      chained?: boolean;
      data?: Record<string, unknown>;
      fixedMs?: number;
      hold?: QueueState[];
      onComplete?: () => void;
    },
  ): Job {
    return {
      id: ++q.lastJobId,
      queue: q,
      name,
      createdAt: this.time,
      data: o.data,
      asset: o.asset,
      chained: o.chained ?? false,
      fixedMs: o.fixedMs,
      hold: o.hold,
      onComplete: o.onComplete,
      state: "pending",
      run: 0,
      dueAt: this.time,
    };
  }

  /** A new job joins its queue now, or after `delayMs` as a delayed job. */
  private add(j: Job, delayMs?: number): void {
    const q = j.queue;
    if (delayMs !== undefined && delayMs > 0) {
      j.state = "delayed";
      j.dueAt = this.time + delayMs;
      q.delayed.add(j);
      this.push(j.dueAt, Ev.Due, j);
    } else {
      j.state = "pending";
      q.pending.push(j);
    }
    this.touch(q);
  }

  private push(at: number, kind: Ev, job?: Job, action?: () => void): void {
    this.heap.push({ at, seq: 0, kind, job, run: job?.run ?? 0, action });
  }

  private touch(q: QueueState): void {
    if (this.isDirty[q.index]) return;
    this.isDirty[q.index] = true;
    this.dirty.push(q);
  }

  private need(name: string): QueueState {
    const q = this.byName.get(name);
    if (!q) throw new UnknownQueueError(name, this.queueNames);
    return q;
  }
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

function view(q: QueueState): EngineQueue {
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

function jobView(j: Job): EngineJob {
  const data = j.data ?? (j.asset ? { source: j.asset.source, id: j.asset.id } : {});
  return { id: String(j.id), name: j.name, timestamp: j.createdAt, data: { ...data } };
}
