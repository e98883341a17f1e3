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
//
// This file is the engine's public face (reading and changing, Immich's
// commands, restarts); engine-core.ts holds time and the job lifecycle,
// engine-handoffs.ts the pipeline's hand-offs, engine-queues.ts the queues
// and their building blocks, engine-state.ts the inner state's shapes.

import type { Clock } from "../shared/clock.ts";
import { own } from "../shared/dict.ts";
import type {
  Actor,
  Engine,
  EngineJob,
  HostLoadOptions,
  HostView,
  EngineOptions,
  EngineQueue,
  EnqueueOptions,
  ExistingAssetsOptions,
  JobStatus,
  QueueAllOptions,
  UploadOptions,
} from "./engine-types.ts";
import { GENERIC_JOB_NAME, PER_ASSET_QUEUES, QUEUE_ALL_JOB_NAME } from "./pipeline.ts";
import { EngineCore, MIGRATION_PER_ASSET_MS, SCAN_JOB_MS, SKIPPED_JOB_MS } from "./engine-core.ts";
import { Ev, type Job, jobView, view } from "./engine-state.ts";

export { UnknownQueueError } from "./engine-state.ts";

export function createEngine(clock: Clock, opts: EngineOptions): Engine {
  return new SimEngine(clock, opts);
}

class SimEngine extends EngineCore implements Engine {
  /** Immich's storageTemplate.enabled: off by default, as in Immich. */
  private storageTemplate = false;

  constructor(clock: Clock, opts: EngineOptions) {
    super(clock, opts);
    this.markStorageTemplate();
  }

  storageTemplateEnabled(): boolean {
    this.advance();
    return this.storageTemplate;
  }

  setStorageTemplate(enabled: boolean): void {
    this.change(() => {
      this.storageTemplate = enabled;
      this.markStorageTemplate();
    });
  }

  /** While the template is off, the storage-template queue's jobs are skipped by Immich: no work (core/pass-through.ts). */
  private markStorageTemplate(): void {
    const q = this.byName.get("storageTemplateMigration");
    if (q) this.recorder.setNoOp(q.index, !this.storageTemplate);
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
    // Events that would do nothing (a completion planned before a restart or
    // before the host re-planned it) are dropped here, so a driver does not
    // stop at them and an idle engine has no next event.
    for (let e = this.heap.peek(); e && this.isStale(e); e = this.heap.peek()) this.heap.pop();
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
          this.newJob(q, opts.name ?? own(GENERIC_JOB_NAME, name) ?? name, {
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
    const jobName = own(QUEUE_ALL_JOB_NAME, name) ?? own(GENERIC_JOB_NAME, name) ?? name;
    this.change(() => {
      if (name === "storageTemplateMigration") {
        // One long job that moves every asset's files; no per-asset jobs. With the template off Immich skips it at once.
        const ms = this.storageTemplate ? Math.max(SCAN_JOB_MS, this.assets.length * MIGRATION_PER_ASSET_MS) : SKIPPED_JOB_MS;
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

  setMachineLearning(up: boolean): void {
    // Jobs running when it goes down fail at their end (their call is cut off).
    this.change(() => {
      this.mlUp = up;
    });
  }

  machineLearningUp(): boolean {
    this.advance();
    return this.mlUp;
  }

  concurrency(name: string): number {
    this.advance();
    return this.need(name).concurrency;
  }

  setConcurrency(name: string, concurrency: number): void {
    const q = this.need(name);
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new RangeError(`concurrency of ${name} must be a whole number ≥ 1, got ${concurrency}`);
    }
    this.change(() => {
      if (q.concurrency === concurrency) return;
      this.recorder.concurrencyChange({ at: this.time, queue: name, from: q.concurrency, to: concurrency });
      q.concurrency = concurrency;
      this.touch(q);
    });
  }

  host(): HostView | undefined {
    this.advance();
    const host = this.hostModel;
    if (!host) return undefined;
    host.advance(this.time);
    return {
      profile: host.profile.name,
      cores: host.cores,
      ...(({ demand, jobs, outside, rate }) => ({ demand, jobs, outside, rate }))(host.current(this.time)),
      pressure: host.pressure(),
      worstCpuAvg10: host.worstCpuAvg10(),
      loads: host.activeLoads(this.time),
    };
  }

  addHostLoad(load: HostLoadOptions): void {
    const host = this.hostModel;
    if (!host) throw new RangeError("this simulator models no host; start it with a host profile");
    for (const [name, v, max] of [["cores", load.cores, 1024], ["forMs", load.forMs, Infinity], ["io", load.io ?? 0, 1], ["memory", load.memory ?? 0, 1]] as const) {
      if (!(Number.isFinite(v) ? v >= 0 && v <= max : v === Infinity && name === "forMs")) throw new RangeError(`${name} must be in [0, ${max}], got ${v}`);
    }
    this.change(() => {
      const l = host.addLoad({ cores: load.cores, io: load.io ?? 0, memory: load.memory ?? 0, from: this.time, forMs: load.forMs });
      this.hostChanged();
      if (Number.isFinite(l.until)) this.push(l.until, Ev.Action, undefined, () => this.hostChanged());
    });
  }

  schedule(at: number, action: () => void): void {
    this.advance();
    this.push(Math.max(at, this.time), Ev.Action, undefined, action);
  }
}
