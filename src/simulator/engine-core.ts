// The simulator engine's core: time and the job lifecycle. There are no
// timers: every read or change first advances the simulation to clock.now(),
// processing job completions, delayed jobs coming due and scheduled actions
// in time order (advance, handle, settle); a completed pipeline job hands
// its asset to the next queues (complete, rescan). engine.ts builds the
// public Engine on top of it. Split from engine.ts along that seam.

import type { Clock } from "../shared/clock.ts";
import { own } from "../shared/dict.ts";
import { DEFAULT_CONCURRENCY } from "./profiles.ts";
import type { Actor, EngineOptions } from "./engine-types.ts";
import {
  type AssetKind,
  type AssetSource,
  ASSET_JOB_NAME,
  DEFAULT_DURATIONS,
  DEFAULT_JITTER,
  DEFAULT_VIDEO_DURATIONS,
  entryQueues,
  FALLBACK_DURATION_MS,
  ML_CALLING_QUEUES,
  ML_FAIL_MS,
  RESCAN_PREREQUISITE,
  successors,
} from "./pipeline.ts";
import { createRng, type Rng } from "./rng.ts";
import { Host } from "./host.ts";
import type { JobCost } from "./host-profiles.ts";
import { Recorder } from "./recorder.ts";
import { EventHeap } from "./sim-heap.ts";
import { Deque } from "./sim-deque.ts";
import { type Asset, Ev, type Job, type QueueState, type SimEvent, UnknownQueueError } from "./engine-state.ts";

/** How often a holding job (the facial-recognition scan) re-checks, as Immich does. */
const HOLD_POLL_MS = 1_000;
/** A `*QueueAll` scan job: one database query, then it queues the per-asset jobs. */
export const SCAN_JOB_MS = 1_000;
/** A full storage-template migration run moves every asset's files: per asset. */
export const MIGRATION_PER_ASSET_MS = 20;
/** A job Immich skips at once (a storage-template job while the template is off): timings-v3.1.0.md measured 0.04 s. */
export const SKIPPED_JOB_MS = 40;
/** Assets' done-steps are a bitmask over queue indices. */
const MAX_QUEUES = 31;

export abstract class EngineCore {
  readonly queueNames: readonly string[];
  readonly seed: number;
  protected readonly queues: QueueState[];
  protected readonly byName = new Map<string, QueueState>();
  protected readonly heap = new EventHeap<SimEvent>();
  protected readonly rng: Rng;
  protected readonly jitter: number;
  protected readonly recorder: Recorder;
  protected readonly assets: Asset[] = [];
  protected readonly dirty: QueueState[] = [];
  protected readonly isDirty: boolean[];
  protected readonly thumbnails: QueueState | undefined;
  protected time: number;
  /** Whether the machine-learning service answers (the simulator's ML service switch). */
  protected mlUp = true;
  /** True while processing events or a change: nested calls neither advance nor settle. */
  protected busy = false;
  /** The modelled host, if any (EngineOptions.host). */
  protected readonly hostModel: Host | undefined;
  /** Active jobs whose progress the host governs. */
  protected readonly hostJobs = new Set<Job>();
  /** The host's demand changed this instant: re-plan completions when it settles. */
  protected hostDirty = false;

  constructor(
    protected readonly clock: Clock,
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
      const c = own(concurrency, name) ?? 1;
      if (!(Number.isInteger(c) && c >= 1)) throw new RangeError(`concurrency of ${name} must be a whole number ≥ 1, got ${c}`);
      const photoMean = own(photo, name) ?? FALLBACK_DURATION_MS;
      const videoMean = own(video, name) ?? photoMean;
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
    this.hostModel = opts.host ? new Host(opts.host, this.time) : undefined;
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
  protected change(fn: () => void): void {
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

  protected handle(e: SimEvent): void {
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
        if (j.state !== "active" || j.run !== e.run || (e.gen !== undefined && e.gen !== j.gen)) return;
        this.complete(j);
        return;
    }
  }

  /** An event that handle() would ignore. */
  protected isStale(e: SimEvent): boolean {
    const j = e.job;
    if (e.kind === Ev.Action || !j) return false;
    if (e.kind === Ev.Due) return j.state !== "delayed";
    return j.state !== "active" || j.run !== e.run || (e.gen !== undefined && e.gen !== j.gen);
  }

  /** Start what can start in the queues that changed, then record their activity. */
  protected settle(): void {
    for (const q of this.dirty) {
      while (!q.paused && q.active.size < q.concurrency && q.pending.length > 0) this.start(q.pending.shift()!);
    }
    if (this.hostModel) this.replan();
    for (const q of this.dirty) {
      this.recorder.activity(q.index, this.time, q.active.size);
      this.isDirty[q.index] = false;
    }
    this.recorder.endInstant(this.time);
    this.dirty.length = 0;
  }

  protected start(j: Job): void {
    const q = j.queue;
    j.state = "active";
    j.run++;
    q.active.add(j);
    this.recorder.started(q.index, q.active.size);
    j.failing = this.callsMl(j) && !this.mlUp;
    const cost = this.hostCost(j);
    // A holding job checks at once, but only after this instant has settled.
    if (cost) this.hostStart(j, cost);
    else if (j.failing) this.push(this.time + ML_FAIL_MS, Ev.Complete, j);
    else if (j.hold && j.hold.length > 0) this.push(this.time, Ev.Poll, j);
    else this.push(this.time + this.duration(j), Ev.Complete, j);
  }

  // ---- the modelled host ---------------------------------------------------

  /**
   * What a job costs on the modelled host: per-asset jobs (and plain jobs of
   * a queue the profile prices) that are neither fixed-length nor holding.
   */
  protected hostCost(j: Job): JobCost | undefined {
    const host = this.hostModel;
    if (!host || j.fixedMs !== undefined || (j.hold && j.hold.length > 0)) return undefined;
    if (j.failing) return host.profile.mlFail;
    return host.profile.jobs[j.queue.name];
  }

  /** A job starts on the host: its work (jittered) at its demand; its completion is planned when the instant settles. */
  protected hostStart(j: Job, cost: JobCost): void {
    const video = j.asset?.kind === "video";
    const cpu = video ? (cost.videoCpu ?? cost.cpu) : cost.cpu;
    const cores = video ? (cost.videoCores ?? cost.cores) : cost.cores;
    const mean = cores > 0 ? (cpu / cores) * 1000 : 0;
    j.work = Math.max(1, this.jitter > 0 ? this.rng.around(mean, this.jitter) : mean);
    j.progressAt = this.time;
    j.demand = cores;
    j.io = cost.io ?? 0;
    this.hostJobs.add(j);
    this.hostDirty = true;
  }

  /**
   * The demand changed (a job started or ended, an outside load came or
   * went): bring every host job's work up to now at the old speed, accrue
   * the pressure, and plan each completion at the new speed.
   */
  protected replan(): void {
    const host = this.hostModel!;
    for (const j of this.hostJobs) {
      if (j.state !== "active") {
        this.hostJobs.delete(j);
        this.hostDirty = true;
      }
    }
    if (!this.hostDirty) return;
    this.hostDirty = false;
    const oldRate = host.rate();
    let jobs = 0;
    const ioShares: number[] = [];
    for (const j of this.hostJobs) {
      j.work = Math.max(0, j.work - (this.time - j.progressAt) * oldRate);
      j.progressAt = this.time;
      jobs += j.demand;
      if (j.io > 0) ioShares.push(j.io);
    }
    host.advance(this.time, { jobs, outside: 0, ioShares });
    const rate = host.rate();
    for (const j of this.hostJobs) {
      j.gen++;
      this.heap.push({ at: this.time + Math.max(1, Math.ceil(j.work / rate)), seq: 0, kind: Ev.Complete, job: j, run: j.run, action: undefined, gen: j.gen });
    }
  }

  /** Mark the host's demand changed (an outside load starting or ending). */
  protected hostChanged(): void {
    this.hostDirty = true;
  }

  protected complete(j: Job): void {
    const q = j.queue;
    q.active.delete(j);
    j.state = "gone";
    this.touch(q);
    const a = j.asset;
    if (a && (j.failing || (!this.mlUp && this.callsMl(j)))) {
      // Dropped, as Immich does: no next steps, the asset stays without this one.
      this.recorder.jobFailed(q.index);
      if (j.chained) a.outstanding--;
      return;
    }
    this.recorder.jobCompleted(q.index);
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

  /** A per-asset job of a queue that calls the machine-learning service. */
  protected callsMl(j: Job): boolean {
    return j.asset !== undefined && ML_CALLING_QUEUES.includes(j.queue.name);
  }

  /** Per-asset jobs a finished scan queues: every eligible asset, or only those missing the step. */
  protected rescan(q: QueueState, force: boolean): void {
    const bit = 1 << q.index;
    const pre = this.byName.get(own(RESCAN_PREREQUISITE, q.name) ?? "");
    const preBit = pre ? 1 << pre.index : 0;
    for (const a of this.assets) {
      if (q.name === "videoConversion" && a.kind !== "video") continue;
      if (q.name === "library" && a.source !== "library") continue;
      if (!force && ((a.done & bit) !== 0 || (a.done & preBit) !== preBit)) continue;
      // Jobs queued by a scan do not chain on (Immich chains only uploads).
      this.add(this.newJob(q, own(ASSET_JOB_NAME, q.name) ?? q.name, { asset: a }));
    }
  }

  protected duration(j: Job): number {
    if (j.fixedMs !== undefined) return Math.max(1, j.fixedMs);
    const mean = j.asset?.kind === "video" ? j.queue.videoMean : j.queue.photoMean;
    return Math.max(1, Math.round(this.jitter > 0 ? this.rng.around(mean, this.jitter) : mean));
  }

  // ---- building blocks -----------------------------------------------------

  protected flag(q: QueueState, paused: boolean, actor: Actor): void {
    if (q.paused === paused) return;
    q.paused = paused;
    this.recorder.pauseChange({ at: this.time, queue: q.name, paused, actor });
    this.touch(q);
  }

  protected newUpload(kind: AssetKind, source: AssetSource): Asset {
    const asset = this.newAsset(kind, source);
    asset.record = { id: asset.id, kind, source, arrivedAt: this.time };
    this.recorder.upload(asset.record);
    const first = entryQueues(source, kind, (n) => this.byName.has(n));
    for (const n of first) this.addAssetJob(this.byName.get(n)!, asset);
    if (first.length === 0) asset.record.doneAt = this.time;
    return asset;
  }

  protected newAsset(kind: AssetKind, source: AssetSource): Asset {
    const n = this.assets.length + 1;
    // UUID-shaped like Immich's asset ids, but deterministic.
    const id = `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
    const asset: Asset = { id, kind, source, outstanding: 0, done: 0 };
    this.assets.push(asset);
    return asset;
  }

  /** A pipeline job for an asset, which queues the next steps when it completes. */
  protected addAssetJob(q: QueueState, asset: Asset): void {
    asset.outstanding++;
    this.add(this.newJob(q, own(ASSET_JOB_NAME, q.name) ?? q.name, { asset, chained: true }));
  }

  protected newJob(
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
      failing: false,
      run: 0,
      dueAt: this.time,
      work: 0,
      progressAt: this.time,
      demand: 0,
      io: 0,
      gen: 0,
    };
  }

  /** A new job joins its queue now, or after `delayMs` as a delayed job. */
  protected add(j: Job, delayMs?: number): void {
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

  protected push(at: number, kind: Ev, job?: Job, action?: () => void): void {
    this.heap.push({ at, seq: 0, kind, job, run: job?.run ?? 0, action });
  }

  protected touch(q: QueueState): void {
    if (this.isDirty[q.index]) return;
    this.isDirty[q.index] = true;
    this.dirty.push(q);
  }

  protected need(name: string): QueueState {
    const q = this.byName.get(name);
    if (!q) throw new UnknownQueueError(name, this.queueNames);
    return q;
  }
}
