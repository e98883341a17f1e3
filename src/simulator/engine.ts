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
// This file is the engine's public face: reading, and the simulator's
// switches (machine learning, concurrency, the host, scheduled actions).
// engine-commands.ts holds the changes Immich's API and incidents make,
// engine-core.ts time and the job lifecycle, engine-handoffs.ts the
// pipeline's hand-offs, engine-queues.ts the queues and their building
// blocks, engine-state.ts the inner state's shapes.

import type { Clock } from "../shared/clock.ts";
import type { Engine, EngineJob, HostLoadOptions, HostView, EngineOptions, EngineQueue, JobStatus } from "./engine-types.ts";
import { EngineCommands } from "./engine-commands.ts";
import { Ev, type Job, jobView, view } from "./engine-state.ts";

export { UnknownQueueError } from "./engine-state.ts";

export function createEngine(clock: Clock, opts: EngineOptions): Engine {
  return new SimEngine(clock, opts);
}

class SimEngine extends EngineCommands implements Engine {
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

  // ---- the simulator's switches --------------------------------------------

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
