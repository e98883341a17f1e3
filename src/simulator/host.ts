// The host Immich runs on, as the simulator models it (issue 19, item 4):
// a number of cores; each active job wants some of them (its demand, in
// cores) for as long as its CPU work takes; when the demand of all active
// jobs, the server's own baseline and any outside load exceeds the cores,
// every job slows down in proportion (processor sharing), and CPU "some"
// pressure accrues. The pressure figures are kept the way Linux keeps them
// (/proc/pressure/*: a total in µs and 10/60/300 s averages updated every
// 2 s), so the daemon can read them from PSI-format files or from a
// node_exporter-format /metrics (host-exporter.ts).
//
// The pressure curve: the runnable tasks of a job come in bursts (libvips's
// and ffmpeg's thread pools, exiftool, Postgres), so "some task waited for a
// CPU" happens before the mean demand reaches the cores, and tasks also
// sleep on disk and the database, so it stays below 100 % when the cores
// are oversubscribed (real: 84 % with thumbnails at concurrency 3 on 2
// cores). The model (cpuSomeShare): per-CPU run queues with a Poisson number
// of runnable tasks. CPU "full" is 0, as the kernel
// reports it at the system level. io: each active job and the outside load
// stall on io for a share of their time, independently: some = 1 − Π(1 − s),
// full = Π s (all of them at once). memory: only an outside load's share
// (the modelled hosts have enough memory for Immich). Calibration against
// the real 2-core host: test/simulator/host-calibration.test.ts;
// profiles and their evidence: host-profiles.ts; FIDELITY.md says what is
// measured and what is estimated.

import type { HostProfile } from "./host-profiles.ts";

export type Resource = "cpu" | "io" | "memory";
export const RESOURCES: readonly Resource[] = ["cpu", "io", "memory"];

/** One line of /proc/pressure/<resource>: averages in percent, total in µs. */
export interface PressureLine {
  avg10: number;
  avg60: number;
  avg300: number;
  total: number;
}

export interface ResourcePressure {
  some: PressureLine;
  full: PressureLine;
}

/** Work from outside Immich: a backup, a stream, a scrub. */
export interface OutsideLoad {
  /** Cores it keeps busy (demand). */
  cores: number;
  /** Share of its time it stalls on io (0..1). */
  io: number;
  /** Share of time it stalls on memory (0..1). */
  memory: number;
  from: number;
  until: number;
}

/** What the host is doing at one instant: the demand and stall shares in force until the next change. */
export interface HostLoadState {
  /** Cores wanted by Immich's active jobs (baseline included while any is active). */
  jobs: number;
  /** Cores wanted from outside. */
  outside: number;
  /** io stall shares of the active jobs (one per job). */
  ioShares: readonly number[];
}

/** The averaging periods of PSI and the kernel's 2 s update. */
const PERIODS = [10_000, 60_000, 300_000] as const;
const UPDATE_MS = 2_000;
const DECAY = PERIODS.map((p) => Math.exp(-UPDATE_MS / p));

/**
 * The share of time some task waits for a CPU at a demand of `demand` cores:
 * each CPU's run queue holds a Poisson number of runnable tasks with mean
 * burstiness · demand / cores, a CPU with two or more has a task waiting,
 * the host's figure is the CPUs' average (the kernel aggregates PSI over
 * CPUs), times the share of time tasks are runnable at all.
 */
export function cpuSomeShare(demand: number, cores: number, burstiness: number, runnable: number): number {
  if (!(demand > 0)) return 0;
  const m = (burstiness * demand) / cores;
  return Math.min(1, Math.max(0, runnable * (1 - Math.exp(-m) * (1 + m))));
}

class Line {
  /** Stall time so far, ms (fractional). */
  totalMs = 0;
  /** Stall ms in the 2 s window in progress. */
  windowMs = 0;
  readonly avgs = [0, 0, 0];

  fold(): void {
    const pct = (this.windowMs / UPDATE_MS) * 100;
    for (let i = 0; i < PERIODS.length; i++) this.avgs[i] = this.avgs[i]! * DECAY[i]! + pct * (1 - DECAY[i]!);
    this.windowMs = 0;
  }

  read(): PressureLine {
    return {
      avg10: this.avgs[0]!,
      avg60: this.avgs[1]!,
      avg300: this.avgs[2]!,
      total: Math.floor(this.totalMs * 1000),
    };
  }
}

export class Host {
  readonly profile: HostProfile;
  readonly cores: number;
  private readonly lines: Record<Resource, { some: Line; full: Line }>;
  private loads: OutsideLoad[] = [];
  private state: HostLoadState = { jobs: 0, outside: 0, ioShares: [] };
  /** Time up to which pressure has been accrued. */
  private accruedTo: number;
  /** Start of the 2 s window in progress. */
  private windowStart: number;
  /** The highest cpu some avg10 seen, and the cpu some total at a mark (the benchmark's figures). */
  private worstAvg10 = 0;

  constructor(profile: HostProfile, now: number) {
    this.profile = profile;
    this.cores = profile.cores;
    this.lines = {
      cpu: { some: new Line(), full: new Line() },
      io: { some: new Line(), full: new Line() },
      memory: { some: new Line(), full: new Line() },
    };
    this.accruedTo = now;
    this.windowStart = now;
  }

  /** Cores wanted from outside at `at`. */
  outsideAt(at: number): number {
    return this.loads.reduce((sum, l) => (l.from <= at && at < l.until ? sum + l.cores : sum), 0);
  }

  /** Total demand of the current state. */
  demand(): number {
    return this.state.jobs + this.state.outside;
  }

  /** How fast a job progresses now: 1 unless the demand exceeds the cores. */
  rate(): number {
    const d = this.demand();
    return d > this.cores ? this.cores / d : 1;
  }

  /** Shares of time stalled per resource and kind, in the current state. */
  shares(at: number): Record<Resource, { some: number; full: number }> {
    const cpu = cpuSomeShare(this.demand(), this.cores, this.profile.burstiness, this.profile.runnable);
    const io = [...this.state.ioShares];
    let mem = 0;
    for (const l of this.loads) {
      if (l.from <= at && at < l.until) {
        if (l.io > 0) io.push(l.io);
        mem = 1 - (1 - mem) * (1 - l.memory);
      }
    }
    const ioSome = io.length === 0 ? 0 : 1 - io.reduce((p, s) => p * (1 - s), 1);
    const ioFull = io.length === 0 ? 0 : io.reduce((p, s) => p * s, 1);
    return { cpu: { some: cpu, full: 0 }, io: { some: ioSome, full: ioFull }, memory: { some: mem, full: mem } };
  }

  /**
   * Accrue the current state's pressure up to `to` (ms), folding every 2 s
   * window on the way, then take `next` as the state from `to` on. Called by
   * the engine at every instant where the demand changes.
   */
  advance(to: number, next?: HostLoadState): void {
    if (to > this.accruedTo) {
      // Within [accruedTo, to) the state is constant; outside loads only
      // start or end at instants the engine stops at (it schedules them).
      const s = this.shares(this.accruedTo);
      let t = this.accruedTo;
      while (t < to) {
        const windowEnd = this.windowStart + UPDATE_MS;
        const step = Math.min(to, windowEnd) - t;
        for (const r of RESOURCES) {
          for (const kind of ["some", "full"] as const) {
            const line = this.lines[r][kind];
            const ms = s[r][kind] * step;
            line.totalMs += ms;
            line.windowMs += ms;
          }
        }
        t += step;
        if (t >= windowEnd) {
          for (const r of RESOURCES) {
            this.lines[r].some.fold();
            this.lines[r].full.fold();
          }
          this.worstAvg10 = Math.max(this.worstAvg10, this.lines.cpu.some.avgs[0]!);
          this.windowStart = windowEnd;
          // A long quiet stretch: fold the idle windows in one go once nothing accrues.
          if (to - t > UPDATE_MS * 10 && s.cpu.some === 0 && s.io.some === 0 && s.memory.some === 0) {
            const windows = Math.floor((to - t) / UPDATE_MS);
            for (const r of RESOURCES) {
              for (const kind of ["some", "full"] as const) {
                const line = this.lines[r][kind];
                for (let i = 0; i < PERIODS.length; i++) line.avgs[i] = line.avgs[i]! * DECAY[i]! ** windows;
              }
            }
            this.windowStart += windows * UPDATE_MS;
            t = this.windowStart;
          }
        }
      }
      this.accruedTo = to;
    }
    if (next) this.state = { ...next, outside: this.outsideAt(to) };
  }

  /** Add an outside load from `from` for `forMs`; returns it (the engine schedules its end). */
  addLoad(load: Omit<OutsideLoad, "until"> & { forMs: number }): OutsideLoad {
    const l: OutsideLoad = { cores: load.cores, io: load.io, memory: load.memory, from: load.from, until: load.from + load.forMs };
    this.loads.push(l);
    return l;
  }

  /** Outside loads still in force (or to come) at `at`. */
  activeLoads(at: number): OutsideLoad[] {
    this.loads = this.loads.filter((l) => l.until > at);
    return this.loads.map((l) => ({ ...l }));
  }

  /** PSI figures as of the last advance. */
  pressure(): Record<Resource, ResourcePressure> {
    const out = {} as Record<Resource, ResourcePressure>;
    for (const r of RESOURCES) out[r] = { some: this.lines[r].some.read(), full: this.lines[r].full.read() };
    return out;
  }

  /** The highest cpu some avg10 reached so far. */
  worstCpuAvg10(): number {
    return this.worstAvg10;
  }

  /** The current instantaneous state (for /__simulator/host). */
  current(at: number) {
    return {
      demand: this.demand(),
      jobs: this.state.jobs,
      outside: this.state.outside,
      rate: this.rate(),
      shares: this.shares(at),
    };
  }
}

/** /proc/pressure/<resource>'s text: `some avg10=0.00 avg60=0.00 avg300=0.00 total=0` and the `full` line. */
export function psiText(p: ResourcePressure): string {
  const line = (kind: string, l: PressureLine) =>
    `${kind} avg10=${l.avg10.toFixed(2)} avg60=${l.avg60.toFixed(2)} avg300=${l.avg300.toFixed(2)} total=${l.total}`;
  return `${line("some", p.some)}\n${line("full", p.full)}\n`;
}

/**
 * node_exporter's pressure collector, in the Prometheus text format, and its
 * time collector's node_time_seconds (the host's clock: here the simulated
 * one) when `nowMs` is given, as a real node_exporter serves both by default.
 */
export function nodeExporterText(p: Record<Resource, ResourcePressure>, nowMs?: number): string {
  const metric = (name: string, help: string, seconds: number, type = "counter") =>
    `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${seconds}\n`;
  const s = (us: number) => us / 1e6;
  return [
    metric("node_pressure_cpu_waiting_seconds_total", "Total time in seconds that processes have waited for CPU time", s(p.cpu.some.total)),
    metric("node_pressure_io_stalled_seconds_total", "Total time in seconds no process could make progress due to IO congestion", s(p.io.full.total)),
    metric("node_pressure_io_waiting_seconds_total", "Total time in seconds that processes have waited due to IO congestion", s(p.io.some.total)),
    metric("node_pressure_memory_stalled_seconds_total", "Total time in seconds no process could make progress due to memory congestion", s(p.memory.full.total)),
    metric("node_pressure_memory_waiting_seconds_total", "Total time in seconds that processes have waited for memory", s(p.memory.some.total)),
    nowMs === undefined ? "" : metric("node_time_seconds", "System time in seconds since epoch (1970).", nowMs / 1000, "gauge"),
  ].join("");
}
