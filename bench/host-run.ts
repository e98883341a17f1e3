// One run on a modelled host (issue 19): the simulator's engine with a host
// profile (src/simulator/host.ts) on a VirtualClock, a workload, and one way
// of running Immich: alone, or with the real Daemon class (in-process, its
// Immich API answered by the engine as bench/engine-client.ts does), each
// optionally with every configurable queue's concurrency set to 1 first
// (what PUT /api/system-config does: Engine.setConcurrency). It measures
// what the table measures: the drain time, the CPU pressure share
// (cpu some total over the run ÷ its length), the worst cpu some avg10, the
// time to a thumbnail (p95) and the concurrency changes per hour.
// Used by the calibration test (test/simulator/host-calibration.test.ts) and
// the benchmark's host section (bench/host-bench.ts).

import { DEFAULT_AUTO_RANGE } from "../src/core/auto-syntax.ts";
import type { SystemConfig } from "../src/core/concurrency-config.ts";
import type { PressureLimits, PressureResource } from "../src/core/pressure-syntax.ts";
import { DEFAULT_PRIORITY } from "../src/core/queues.ts";
import { AutoCapper } from "../src/daemon/auto-cap-loop.ts";
import { Daemon, type ImmichApi } from "../src/daemon/daemon.ts";
import { PassThroughWatch } from "../src/daemon/pass-through-watch.ts";
import { localMeter, type PressureMeter } from "../src/daemon/pressure.ts";
import { psiText, type Resource } from "../src/simulator/host.ts";
import { basename } from "node:path";
import type { Log } from "../src/daemon/log.ts";
import { memoryStateStore } from "../src/daemon/state-file.ts";
import { VirtualClock, watchFirstSleep } from "../src/shared/clock.ts";
import { createEngine } from "../src/simulator/engine.ts";
import type { Engine } from "../src/simulator/engine-types.ts";
import { HOST_PROFILES, type HostProfile, type HostProfileName } from "../src/simulator/host-profiles.ts";
import { PROFILES } from "../src/simulator/profiles.ts";
import { configurableQueues, createSystemConfig } from "../src/simulator/system-config.ts";

export const HOST_BENCH_START = Date.UTC(2026, 10, 28, 12);

/** How Immich is run. */
export type HostSetting =
  | { kind: "none"; concurrency1?: boolean }
  | { kind: "daemon"; n: number; concurrency1?: boolean }
  /**
   * MAX_CONCURRENT_JOBS=auto[:min-max] (rule 15's controller, src/daemon/auto-cap-loop.ts),
   * optionally with TUNE_CONCURRENCY; the pressure is the modelled host's PSI file text,
   * read by the daemon's own local meter; the target MAX_PRESSURE (default cpu=40).
   */
  | { kind: "auto"; tune: boolean; range?: { min: number; max: number }; target?: PressureLimits; concurrency1?: boolean };

export interface HostWorkload {
  /** Per burst (one burst unless `bursts` says more). */
  photos: number;
  videos: number;
  /** false: no ML service, ML jobs fail fast (as on the measured host). */
  ml: boolean;
  /** This many uploads of `photos` + `videos`, `everyMs` apart (a day of backups); default 1. */
  bursts?: number;
  everyMs?: number;
  /** An outside load: `cores` busy for `forMs`, starting `atMs` after the first upload. */
  outside?: { cores: number; atMs: number; forMs: number };
}

export interface HostRunSpec {
  host: HostProfileName | HostProfile;
  workload: HostWorkload;
  setting: HostSetting;
  pollMs: number;
  seed: number;
  /** Give up after this much simulated time from the upload. */
  limitMs: number;
  /** The daemon polls this long before the upload (it was already running). */
  warmupMs?: number;
}

export interface HostRunResult {
  /** ms from the upload until no job was left (undefined: not within limitMs). */
  drainMs: number | undefined;
  /** Share of the run (upload → drained) during which some task waited for a CPU, 0..100. */
  cpuPressurePct: number;
  /** The highest cpu some avg10 during the run. */
  worstAvg10: number;
  /**
   * Time with Immich work present (a job active or pending: each burst's time from its arrival
   * until it is drained, the day's equivalent of an import's upload-to-drained time), and the CPU
   * pressure share within it (0..100). Until this session it counted only time with a job active,
   * which left out the hand-overs between stages: with storageTemplateMigration passing through
   * (its jobs are no-ops), the daemon spends less of that time, and the same stall seconds read
   * as a larger share of less time (the 2-core day's auto + tuning: 365 s of stall either way).
   */
  busyMs: number;
  busyPressurePct: number;
  /** p95 of upload → thumbnail, ms. */
  thumbnailP95Ms: number | undefined;
  /** Changes per hour of the run: the controller's (N and concurrency) under auto, else concurrency changes after the set-up (0 for fixed settings). */
  changesPerHour: number;
  problems: string[];
}

function problemLog(problems: string[]): Log {
  return { debug() {}, info() {}, warn: (m) => problems.push(`warn: ${m}`), error: (m) => problems.push(`error: ${m}`) };
}

/** The daemon's Immich API answered in-process by the engine (and its system config, as the simulator serves it). */
function engineApi(engine: Engine): ImmichApi {
  const config = createSystemConfig(PROFILES["v3.1"], engine);
  return {
    async getSystemConfig() {
      return config.get() as SystemConfig;
    },
    async putSystemConfig(body) {
      return config.update(structuredClone(body)) as SystemConfig;
    },
    async connect() {
      return { version: PROFILES["v3.1"].version, api: "queues" as const, warnings: [], queues: [...engine.queueNames] };
    },
    async observe() {
      return { at: engine.now(), api: "queues", queues: engine.list().map((q) => ({ name: q.name, isPaused: q.isPaused, ...q.counts })) };
    },
    async setPaused(queue, paused) {
      engine.setPaused(queue, paused, "daemon");
    },
  };
}

/**
 * The daemon's own local PSI meter (src/daemon/pressure.ts localMeter), its
 * files read as the simulator writes them (host.ts psiText), from the
 * modelled host at the moment the daemon reads.
 */
function hostMeter(engine: Engine, resources: readonly PressureResource[], now: () => number): PressureMeter {
  const dir = "/simulated/pressure";
  return localMeter(dir, resources, (path) => psiText(engine.host()!.pressure[basename(path) as Resource]), now);
}

function p95(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)];
}

export async function runOnHost(spec: HostRunSpec): Promise<HostRunResult> {
  const problems: string[] = [];
  const clock = new VirtualClock(HOST_BENCH_START);
  const host = typeof spec.host === "string" ? HOST_PROFILES[spec.host] : spec.host;
  const engine = createEngine(clock, { queues: PROFILES["v3.1"].queues, seed: spec.seed, host });
  if (!spec.workload.ml) engine.setMachineLearning(false);
  if (spec.setting.concurrency1) {
    for (const q of configurableQueues(PROFILES["v3.1"])) engine.setConcurrency(q, 1);
  }
  const uploadAt = clock.now() + (spec.warmupMs ?? 25_000);
  const w = spec.workload;
  for (let b = 0; b < (w.bursts ?? 1); b++) {
    engine.schedule(uploadAt + b * (w.everyMs ?? 0), () => engine.upload({ photos: w.photos, videos: w.videos }));
  }
  if (w.outside) {
    const o = w.outside;
    engine.schedule(uploadAt + o.atMs, () => engine.addHostLoad({ cores: o.cores, forMs: o.forMs }));
  }
  const changesBefore = engine.recording().concurrencyChanges.length;

  let daemonStop = async () => {};
  let controllerChanges: (() => number) | undefined;
  const setting = spec.setting;
  if (setting.kind === "daemon" || setting.kind === "auto") {
    const { clock: daemonClock, firstSleep } = watchFirstSleep(clock);
    const client = engineApi(engine);
    const log = problemLog(problems);
    const store = memoryStateStore();
    const range = setting.kind === "auto" ? (setting.range ?? DEFAULT_AUTO_RANGE) : undefined;
    const autoCap =
      setting.kind === "auto"
        ? new AutoCapper({
            settings: { range: range!, target: setting.target ?? { cpu: 40 }, tune: setting.tune },
            auto: true,
            meter: hostMeter(engine, Object.keys(setting.target ?? { cpu: 40 }) as PressureResource[], () => daemonClock.now()),
            client,
            log,
            store,
            clock: daemonClock,
            managed: DEFAULT_PRIORITY,
            dryRun: false,
          })
        : undefined;
    const daemon = new Daemon({
      client,
      clock: daemonClock,
      log,
      ...(autoCap ? { autoCap } : {}),
      policy: { maxConcurrent: setting.kind === "daemon" ? setting.n : range!.min, priority: DEFAULT_PRIORITY, standby: true, maxWaitMs: 600_000 },
      pollIntervalMs: spec.pollMs,
      minPollIntervalMs: 1_000,
      dryRun: false,
      onExit: "resume",
      store,
      random: () => 0.5,
      passThrough: new PassThroughWatch({ client, clock: daemonClock, log, managed: DEFAULT_PRIORITY }),
    });
    if (autoCap) controllerChanges = () => autoCap.view().changes;
    const controller = new AbortController();
    const running = daemon.run(controller.signal);
    await firstSleep;
    daemonStop = async () => {
      controller.abort();
      await running;
      await daemon.shutdown();
    };
  }

  const deadline = uploadAt + spec.limitMs;
  let drainedAt: number | undefined;
  let cpuAtUpload = 0;
  let worst = 0;
  let busyMs = 0;
  let busyStall = 0;
  let prev: { t: number; total: number; busy: boolean } | undefined;
  for (;;) {
    const t = clock.now();
    const h = engine.host();
    if (h) {
      // The state between two stops is constant (the loop stops at every engine event).
      const total = h.pressure.cpu.some.total;
      if (prev?.busy) {
        busyMs += t - prev.t;
        busyStall += total - prev.total;
      }
      prev = { t, total, busy: engine.list().some((q) => q.counts.active + q.counts.waiting + q.counts.paused > 0) };
    }
    if (h && t >= uploadAt) worst = Math.max(worst, h.pressure.cpu.some.avg10);
    if (t === uploadAt && h) cpuAtUpload = h.pressure.cpu.some.total;
    if (t > uploadAt && engine.isIdle() && engine.nextEventAt() === undefined) {
      drainedAt = t;
      break;
    }
    if (t >= deadline) break;
    const next = Math.min(engine.nextEventAt() ?? Infinity, clock.nextAt ?? Infinity, deadline);
    // Stop at the upload itself and at every 2 s PSI update the daemon could look at.
    const target = Math.max(t + 1, Math.min(next, t < uploadAt ? uploadAt : Infinity));
    if (spec.setting.kind !== "none") await clock.advance(target - t, 1_000);
    else clock.set(target);
  }
  const end = drainedAt ?? clock.now();
  const h = engine.host()!;
  const rec = engine.recording();
  // The controller's changes (N and concurrency) before its exit puts the owner's values back.
  const controllerCount = controllerChanges?.();
  await daemonStop();
  const runMs = Math.max(1, end - uploadAt);
  const thumbs = rec.uploads.flatMap((u) => (u.thumbnailAt === undefined ? [] : [u.thumbnailAt - u.arrivedAt]));
  const changes = controllerCount ?? rec.concurrencyChanges.length - changesBefore;
  return {
    drainMs: drainedAt === undefined ? undefined : drainedAt - uploadAt,
    cpuPressurePct: ((h.pressure.cpu.some.total - cpuAtUpload) / 1000 / runMs) * 100,
    worstAvg10: Math.max(worst, h.worstCpuAvg10),
    busyMs,
    busyPressurePct: busyMs > 0 ? (busyStall / 1000 / busyMs) * 100 : 0,
    thumbnailP95Ms: p95(thumbs),
    changesPerHour: changes / (runMs / 3_600_000),
    problems,
  };
}
