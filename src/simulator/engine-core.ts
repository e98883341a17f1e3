// The simulator engine's core: time and the job lifecycle. There are no
// timers: every read or change first advances the simulation to clock.now(),
// processing job completions, delayed jobs coming due and scheduled actions
// in time order (advance, handle, settle), starting jobs (start) and, on a
// modelled host, sharing its cores among them (hostStart, replan). A job's
// end hands its asset on through engine-handoffs.ts, built on
// engine-queues.ts's state and building blocks; engine.ts builds the public
// Engine on top of this. Split from engine.ts, then from the hand-offs and
// the building blocks, along those seams.

import type { JobCost } from "./host-profiles.ts";
import { ML_FAIL_MS } from "./pipeline.ts";
import { EngineHandoffs } from "./engine-handoffs.ts";
import { Ev, type Job, type SimEvent } from "./engine-state.ts";

/** How often a holding job (the facial-recognition scan) re-checks, as Immich does. */
const HOLD_POLL_MS = 1_000;
/** A `*QueueAll` scan job: one database query, then it queues the per-asset jobs. */
export const SCAN_JOB_MS = 1_000;
/** A full storage-template migration run moves every asset's files: per asset. */
export const MIGRATION_PER_ASSET_MS = 20;
/** A job Immich skips at once (a storage-template job while the template is off): timings-v3.1.0.md measured 0.04 s. */
export const SKIPPED_JOB_MS = 40;

export abstract class EngineCore extends EngineHandoffs {
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

  protected duration(j: Job): number {
    if (j.fixedMs !== undefined) return Math.max(1, j.fixedMs);
    const mean = j.asset?.kind === "video" ? j.queue.videoMean : j.queue.photoMean;
    return Math.max(1, Math.round(this.jitter > 0 ? this.rng.around(mean, this.jitter) : mean));
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
}
