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

import { DEFAULT_PRIORITY } from "../src/core/queues.ts";
import { Daemon, type ImmichApi } from "../src/daemon/daemon.ts";
import type { Log } from "../src/daemon/log.ts";
import { memoryStateStore } from "../src/daemon/state-file.ts";
import { VirtualClock, watchFirstSleep } from "../src/shared/clock.ts";
import { createEngine } from "../src/simulator/engine.ts";
import type { Engine } from "../src/simulator/engine-types.ts";
import { HOST_PROFILES, type HostProfile, type HostProfileName } from "../src/simulator/host-profiles.ts";
import { PROFILES } from "../src/simulator/profiles.ts";
import { configurableQueues } from "../src/simulator/system-config.ts";

export const HOST_BENCH_START = Date.UTC(2026, 10, 28, 12);

/** How Immich is run. */
export type HostSetting =
  | { kind: "none"; concurrency1?: boolean }
  | { kind: "daemon"; n: number; concurrency1?: boolean };

export interface HostWorkload {
  photos: number;
  videos: number;
  /** false: no ML service, ML jobs fail fast (as on the measured host). */
  ml: boolean;
  /** An outside load: `cores` busy for `forMs`, starting `atMs` after the upload. */
  outside?: { cores: number; atMs: number; forMs: number };
  /** Spread the photos over this long instead of one upload (the day's scenario). */
  spreadMs?: number;
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
  /** p95 of upload → thumbnail, ms. */
  thumbnailP95Ms: number | undefined;
  /** Concurrency changes (by anyone but the set-up) per hour of the run. */
  changesPerHour: number;
  problems: string[];
}

function problemLog(problems: string[]): Log {
  return { debug() {}, info() {}, warn: (m) => problems.push(`warn: ${m}`), error: (m) => problems.push(`error: ${m}`) };
}

/** The daemon's Immich API answered in-process by the engine. */
function engineApi(engine: Engine): ImmichApi {
  return {
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
  engine.schedule(uploadAt, () => {
    if (w.spreadMs && w.spreadMs > 0) {
      const step = w.spreadMs / Math.max(1, w.photos);
      for (let i = 0; i < w.photos; i++) engine.schedule(uploadAt + i * step, () => engine.upload({ photos: 1 }));
      if (w.videos > 0) engine.upload({ videos: w.videos });
    } else {
      engine.upload({ photos: w.photos, videos: w.videos });
    }
  });
  if (w.outside) {
    const o = w.outside;
    engine.schedule(uploadAt + o.atMs, () => engine.addHostLoad({ cores: o.cores, forMs: o.forMs }));
  }
  const changesBefore = engine.recording().concurrencyChanges.length;

  let daemonStop = async () => {};
  if (spec.setting.kind === "daemon") {
    const { clock: daemonClock, firstSleep } = watchFirstSleep(clock);
    const daemon = new Daemon({
      client: engineApi(engine),
      clock: daemonClock,
      log: problemLog(problems),
      policy: { maxConcurrent: spec.setting.n, priority: DEFAULT_PRIORITY, standby: true, maxWaitMs: 600_000 },
      pollIntervalMs: spec.pollMs,
      minPollIntervalMs: 1_000,
      dryRun: false,
      onExit: "resume",
      store: memoryStateStore(),
      random: () => 0.5,
    });
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
  for (;;) {
    const t = clock.now();
    const h = engine.host();
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
    if (spec.setting.kind === "daemon") await clock.advance(target - t, 1_000);
    else clock.set(target);
  }
  const end = drainedAt ?? clock.now();
  const h = engine.host()!;
  const rec = engine.recording();
  await daemonStop();
  const runMs = Math.max(1, end - uploadAt);
  const thumbs = rec.uploads.flatMap((u) => (u.thumbnailAt === undefined ? [] : [u.thumbnailAt - u.arrivedAt]));
  const changes = rec.concurrencyChanges.length - changesBefore;
  return {
    drainMs: drainedAt === undefined ? undefined : drainedAt - uploadAt,
    cpuPressurePct: ((h.pressure.cpu.some.total - cpuAtUpload) / 1000 / runMs) * 100,
    worstAvg10: Math.max(worst, h.worstCpuAvg10),
    thumbnailP95Ms: p95(thumbs),
    changesPerHour: changes / (runMs / 3_600_000),
    problems,
  };
}
