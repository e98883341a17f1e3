// The simulator engine's queues and jobs: the inner state an engine is built
// from (its queues, read from EngineOptions, its assets, the event heap, the
// recorder, the modelled host) and the building blocks that change it: a new
// job, a job joining its queue, a pause flag, an event pushed, a queue marked
// for settling. No time passes here: engine-core.ts drives time, and
// engine-handoffs.ts passes an asset along the pipeline. Split from
// engine-core.ts along that seam; behaviour unchanged.

import type { Clock } from "../shared/clock.ts";
import { own } from "../shared/dict.ts";
import { DEFAULT_CONCURRENCY } from "./profiles.ts";
import type { Actor, EngineOptions } from "./engine-types.ts";
import { DEFAULT_DURATIONS, DEFAULT_JITTER, DEFAULT_VIDEO_DURATIONS, FALLBACK_DURATION_MS, successors } from "./pipeline.ts";
import { createRng, type Rng } from "./rng.ts";
import { Host } from "./host.ts";
import { Recorder } from "./recorder.ts";
import { EventHeap } from "./sim-heap.ts";
import { Deque } from "./sim-deque.ts";
import { type Asset, Ev, type Job, type QueueState, type SimEvent, UnknownQueueError } from "./engine-state.ts";

/** Assets' done-steps are a bitmask over queue indices. */
const MAX_QUEUES = 31;

export abstract class EngineQueues {
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

  // ---- building blocks -----------------------------------------------------

  protected flag(q: QueueState, paused: boolean, actor: Actor): void {
    if (q.paused === paused) return;
    q.paused = paused;
    this.recorder.pauseChange({ at: this.time, queue: q.name, paused, actor });
    this.touch(q);
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
