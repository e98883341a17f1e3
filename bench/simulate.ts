// One benchmark run: a seeded scenario on a fresh simulated Immich, one way
// of running it (controllers.ts), N and POLL_INTERVAL, run to completion (or
// to a simulated limit), then an idle tail. The loop is shared by every way
// of running: it stops at every job event and every instant the controller
// looks (fixed polls for the seed script, wherever the Daemon's adaptive next
// look falls for the daemon), so the slot meter sees every state the engine
// passes through, and the run takes as long as the events need, not the
// simulated hours.

import { DEFAULT_PRIORITY } from "../src/core/queues.ts";
import { VirtualClock } from "../src/shared/clock.ts";
import { createEngine } from "../src/simulator/engine.ts";
import type { Engine, Recording } from "../src/simulator/engine-types.ts";
import { PROFILES, type ProfileName } from "../src/simulator/profiles.ts";
import { applyScenario } from "../src/simulator/scenarios.ts";
import { type Controller, noDaemon, type PolicyName, seedController } from "./controllers.ts";
import { SlotMeter } from "./meter.ts";
import { type RunMetrics, summarize } from "./metrics.ts";
import { type RequestCounts, RequestMeter } from "./requests.ts";

export interface ScenarioSpec {
  name: "small" | "import" | "backlog";
  /** scenarios.ts scale: 1 = 2,060 imported assets, or a 20,000-asset backlog. Unused by "small". */
  scale: number;
  /** small: photos uploaded to an idle server (default 5). */
  photos?: number;
  /** import: arrivals spread over this long (0: all at once). */
  spreadMs?: number;
  /** backlog: new uploads arrive (every ~30 s) for this long, then stop. */
  trickleForMs?: number;
  /** Give up after this much simulated time from the workload's arrival. */
  limitMs: number;
}

export interface SimParams {
  profile: ProfileName;
  /** Engine seed: job durations and arrivals. */
  seed: number;
  /** POLL_INTERVAL. */
  pollMs: number;
  /** MIN_POLL_INTERVAL (the daemon's floor). */
  minPollMs: number;
  /**
   * The controller polls this long before the workload arrives, as a daemon
   * that was already running would have (the seed has paused everything by
   * then). Not a multiple of pollMs, so arrivals do not coincide with a poll.
   */
  warmupMs: number;
  /** After the work is done: this long idle, the last part of it (after a minute) measured as the idle cost. */
  idleTailMs: number;
}

export interface RunSpec {
  scenario: ScenarioSpec;
  params: SimParams;
  n: number;
  policy: PolicyName;
}

/** Everything the run loop needs, whoever polls. */
export interface World {
  engine: Engine;
  meter: RequestMeter;
  now(): number;
  /** When the controller looks next (undefined: never, e.g. Immich alone). */
  nextWakeAt(): number | undefined;
  /** Move simulated time forward to `t` (a Daemon on the clock looks on its way). */
  advanceTo(t: number): Promise<void>;
  /** At each instant: an in-process controller polls here if it is due. */
  atInstant(t: number): void;
  /** Stop the controller, letting it do what it does on exit. */
  stop(): Promise<void>;
}

export interface RunResult {
  metrics: RunMetrics;
  recording: Recording;
  workloadAt: number;
}

export const BENCH_START = Date.UTC(2026, 10, 28, 12);
/** The idle tail's first minute is not measured: the last hand-over's looks settle first. */
const IDLE_SETTLE_MS = 60_000;

/** Managed queues the metrics count: the daemon's default list, as this profile has them. */
export function managedOf(profile: ProfileName): string[] {
  const has = new Set(PROFILES[profile].queues);
  return DEFAULT_PRIORITY.filter((q) => has.has(q));
}

/** Schedules the scenario's arrival on the engine, warmupMs after the start. */
export function scheduleWorkload(engine: Engine, spec: RunSpec): number {
  const at = engine.now() + spec.params.warmupMs;
  const s = spec.scenario;
  engine.schedule(at, () => {
    if (s.name === "small") {
      engine.upload({ photos: s.photos ?? 5 });
      return;
    }
    applyScenario(engine, s.name, {
      scale: s.scale,
      ...(s.spreadMs !== undefined ? { spreadMs: s.spreadMs } : {}),
      ...(s.trickleForMs !== undefined ? { trickleForMs: s.trickleForMs } : {}),
    });
  });
  return at;
}

const diff = (a: RequestCounts, b: RequestCounts): RequestCounts => ({
  getBusy: a.getBusy - b.getBusy,
  putBusy: a.putBusy - b.putBusy,
  getIdle: a.getIdle - b.getIdle,
  putIdle: a.putIdle - b.putIdle,
});

/** Runs the loop over a prepared world whose workload arrives at `workloadAt`. */
export async function runLoop(world: World, spec: RunSpec, workloadAt: number, via: RunMetrics["via"]): Promise<RunResult> {
  const { engine, meter: requests } = world;
  const managed = managedOf(spec.params.profile);
  const meter = new SlotMeter(spec.n, managed, workloadAt);
  const deadline = workloadAt + spec.scenario.limitMs;
  requests.countFrom = workloadAt;
  let finishedAt: number | undefined;
  let idleFrom: RequestCounts | undefined;
  // Commands sent before the workload arrived: the start-up, reported apart.
  let startup = { pauses: 0, resumes: 0 };
  for (;;) {
    const t = world.now();
    world.atInstant(t);
    meter.sample(t, engine.list());
    const next = engine.nextEventAt();
    if (finishedAt === undefined && t >= workloadAt && next === undefined && engine.isIdle()) finishedAt = t;
    const settleAt = finishedAt === undefined ? Infinity : finishedAt + IDLE_SETTLE_MS;
    if (idleFrom === undefined && t >= settleAt) idleFrom = { ...requests.counts };
    const endAt = finishedAt === undefined ? deadline : Math.min(deadline, finishedAt + spec.params.idleTailMs);
    if (t >= endAt) break;
    const target = Math.min(next ?? Infinity, world.nextWakeAt() ?? Infinity, endAt, idleFrom === undefined ? settleAt : Infinity);
    if (t < workloadAt && target >= workloadAt) startup = { ...requests.sent };
    await world.advanceTo(target);
  }
  const endedAt = world.now();
  const idleCounts = idleFrom === undefined ? undefined : diff(requests.counts, idleFrom);
  const idleMs = finishedAt === undefined ? 0 : endedAt - (finishedAt + IDLE_SETTLE_MS);
  await world.stop();
  const pausedAfterExit = engine.list().filter((q) => q.isPaused).map((q) => q.name);
  const recording = engine.recording();
  const metrics = summarize({
    policy: spec.policy,
    via,
    n: spec.n,
    managed,
    workloadAt,
    finished: finishedAt !== undefined,
    recording,
    meter,
    startup,
    sent: requests.sent,
    sentOnExit: requests.sentOnExit,
    pausedAfterExit,
    requests: requests.counts,
    ...(idleCounts && idleMs > 0 ? { idle: { counts: idleCounts, ms: idleMs } } : {}),
  });
  return { metrics, recording, workloadAt };
}

/** A run with the seed script, or Immich alone, polling the engine in-process at a fixed pace. */
export async function runController(spec: RunSpec & { policy: "none" | "seed" }): Promise<RunResult> {
  const clock = new VirtualClock(BENCH_START);
  const engine = createEngine(clock, { queues: PROFILES[spec.params.profile].queues, seed: spec.params.seed });
  const meter = new RequestMeter(engine, new Set(managedOf(spec.params.profile)));
  const workloadAt = scheduleWorkload(engine, spec);
  const controller: Controller = spec.policy === "none" ? noDaemon() : seedController(engine, spec.n, meter);
  let nextPoll = clock.now();
  const world: World = {
    engine,
    meter,
    now: () => clock.now(),
    nextWakeAt: () => (spec.policy === "none" ? undefined : nextPoll),
    advanceTo: async (t) => clock.set(t),
    atInstant(t) {
      if (spec.policy === "none" || t !== nextPoll) return;
      controller.poll();
      nextPoll += spec.params.pollMs;
    },
    stop: async () => {
      meter.exiting = true;
      controller.exit();
    },
  };
  return runLoop(world, spec, workloadAt, "direct");
}
