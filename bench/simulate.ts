// One benchmark run: a seeded scenario on a fresh simulated Immich, one way
// of running it (controllers.ts), N, run to completion or to a simulated
// limit. The loop is shared by the in-process runs and the HTTP runs
// (http-run.ts), which differ only in how time moves and who polls: it stops
// at every job event and every poll instant, so the slot meter sees every
// state the engine passes through, and the run takes as long as the events
// need, not the simulated hours.

import { DEFAULT_PRIORITY } from "../src/core/queues.ts";
import { VirtualClock } from "../src/shared/clock.ts";
import { createEngine } from "../src/simulator/engine.ts";
import type { Engine } from "../src/simulator/engine-types.ts";
import { PROFILES, type ProfileName } from "../src/simulator/profiles.ts";
import { applyScenario } from "../src/simulator/scenarios.ts";
import {
  type CommandCount,
  type Controller,
  decideController,
  noDaemon,
  type PolicyName,
  seedController,
} from "./controllers.ts";
import { SlotMeter } from "./meter.ts";
import { type RunMetrics, summarize } from "./metrics.ts";

export interface ScenarioSpec {
  name: "import" | "backlog";
  /** scenarios.ts scale: 1 = 2,060 imported assets, or a 20,000-asset backlog. */
  scale: number;
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
  pollMs: number;
  /**
   * The controller polls this long before the workload arrives, as a daemon
   * that was already running would have (the seed has paused everything by
   * then). Not a multiple of pollMs, so arrivals do not coincide with a poll.
   */
  warmupMs: number;
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
  now(): number;
  /** Move simulated time forward to `t` (an in-process HTTP daemon polls on its way). */
  advanceTo(t: number): Promise<void>;
  /** At each poll instant: in-process controllers poll here; the HTTP daemon has polled already. */
  pollNow(): void;
  /** Stop the controller, letting it do what it does on exit. */
  stop(): Promise<void>;
  sent(): CommandCount;
  sentOnExit(): CommandCount;
}

export const BENCH_START = Date.UTC(2026, 10, 28, 12);

/** Managed queues the metrics count: the daemon's default list, as this profile has them. */
export function managedOf(profile: ProfileName): string[] {
  const has = new Set(PROFILES[profile].queues);
  return DEFAULT_PRIORITY.filter((q) => has.has(q));
}

/** Schedules the scenario's arrival on the engine, warmupMs after the start. */
export function scheduleWorkload(engine: Engine, spec: RunSpec): number {
  const at = engine.now() + spec.params.warmupMs;
  const s = spec.scenario;
  engine.schedule(at, () =>
    applyScenario(engine, s.name, {
      scale: s.scale,
      ...(s.spreadMs !== undefined ? { spreadMs: s.spreadMs } : {}),
      ...(s.trickleForMs !== undefined ? { trickleForMs: s.trickleForMs } : {}),
    }),
  );
  return at;
}

/** Runs the loop over a prepared world whose workload arrives at `workloadAt`. */
export async function runLoop(world: World, spec: RunSpec, workloadAt: number, via: RunMetrics["via"]): Promise<RunMetrics> {
  const { engine } = world;
  const managed = managedOf(spec.params.profile);
  const meter = new SlotMeter(spec.n, managed, workloadAt);
  const deadline = workloadAt + spec.scenario.limitMs;
  let nextPoll = world.now();
  let polls = 0;
  let finished = false;
  // Commands sent before the workload arrived: the start-up (the seed pauses
  // all 19 queues, the daemon releases its idle ones), reported apart.
  let startup: CommandCount = { pauses: 0, resumes: 0 };
  for (;;) {
    const t = world.now();
    if (t === nextPoll) {
      world.pollNow();
      polls++;
      nextPoll += spec.params.pollMs;
    }
    meter.sample(t, engine.list());
    const next = engine.nextEventAt();
    if (t >= workloadAt && next === undefined && engine.isIdle()) {
      finished = true;
      break;
    }
    if (t >= deadline) break;
    const target = Math.min(next ?? Infinity, nextPoll, deadline);
    // Every poll before the arrival is done (an HTTP daemon polls inside advanceTo, so a poll
    // at the arrival instant itself counts as the workload's).
    if (t < workloadAt && target >= workloadAt) startup = { ...world.sent() };
    await world.advanceTo(target);
  }
  await world.stop();
  const pausedAfterExit = engine.list().filter((q) => q.isPaused).map((q) => q.name);
  return summarize({
    policy: spec.policy,
    via,
    n: spec.n,
    managed,
    workloadAt,
    finished,
    recording: engine.recording(),
    meter,
    startup,
    sent: world.sent(),
    sentOnExit: world.sentOnExit(),
    pausedAfterExit,
    polls,
  });
}

/** The run with the policy applied to the engine in-process (controllers.ts). */
export async function runDirect(spec: RunSpec): Promise<RunMetrics> {
  const clock = new VirtualClock(BENCH_START);
  const engine = createEngine(clock, { queues: PROFILES[spec.params.profile].queues, seed: spec.params.seed });
  const workloadAt = scheduleWorkload(engine, spec);
  const controller: Controller =
    spec.policy === "none"
      ? noDaemon()
      : spec.policy === "seed"
        ? seedController(engine, spec.n)
        : decideController(engine, { maxConcurrent: spec.n, priority: DEFAULT_PRIORITY });
  const world: World = {
    engine,
    now: () => clock.now(),
    advanceTo: async (t) => clock.set(t),
    pollNow: () => controller.poll(),
    stop: async () => controller.exit(),
    sent: () => controller.sent,
    sentOnExit: () => controller.sentOnExit,
  };
  return runLoop(world, spec, workloadAt, "direct");
}
