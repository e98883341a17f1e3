// The demo's core: a simulated Immich and the real daemon in one process,
// talking real HTTP over 127.0.0.1, both on one injected clock, and a frame
// loop that hands the screen a view model a few times per real second. Tests
// pass a VirtualClock and drive it, so a whole import runs in well under a
// second; the command passes a VirtualClock paced to real time (paced-clock.ts).

import { CONFIG_DEFAULTS } from "../config/defaults.ts";
import { DEFAULT_PRIORITY } from "../core/queues.ts";
import { Daemon, type ImmichApi } from "../daemon/daemon.ts";
import { GateWatch } from "../daemon/gates.ts";
import { PassThroughWatch } from "../daemon/pass-through-watch.ts";
import { memoryStateStore } from "../daemon/state-file.ts";
import { createImmichClient } from "../immich/index.ts";
import { type Clock, watchFirstSleep } from "../shared/clock.ts";
import { type ProfileName } from "../simulator/profiles.ts";
import { BACKLOG_ASSETS, IMPORT_PHOTOS, IMPORT_VIDEOS, NIGHTLY_LIBRARY_PHOTOS, NIGHTLY_LIBRARY_VIDEOS, applyScenario, type ScenarioName } from "../simulator/scenarios.ts";
import type { Recording } from "../simulator/engine-types.ts";
import { startSimulator } from "../simulator/server.ts";
import { DemoLog } from "./demo-log.ts";
import { demoWindow } from "./demo-window.ts";
import { count } from "./format.ts";
import { type DemoSummary, type Outcome, summarize } from "./summary.ts";
import { buildView, type DemoView, viewLogLine } from "./view-model.ts";

/** The daemon's key in the simulator; its label is the actor the recording names. */
const DAEMON_KEY = { key: "demo-daemon-key", label: "daemon", admin: true, scopes: ["all"] };

export interface DemoOptions {
  /** Simulated time: the simulator, the daemon and the frames all run on it. */
  clock: Clock;
  /** Simulated seconds per real second (shown, and used to space frames in real time). */
  speed: number;
  maxConcurrent: number;
  scenario: ScenarioName;
  scale: number;
  profile: ProfileName;
  seed: number;
  /** Real milliseconds after which the demo stops if the work is not done. */
  limitMs: number;
  /** The daemon's POLL_INTERVAL in simulated ms (default 10 s, the daemon's own default). */
  pollMs?: number;
  /** Real ms between frames (default 250: four redraws per second). */
  frameMs?: number;
  /** Real time, for the cap and the summary; default simulated time / speed. */
  realNow?: () => number;
  fetch: typeof fetch;
  /** Ctrl-C: stops the demo, the daemon's exit clean-up still runs. */
  signal: AbortSignal;
  /** Called with every frame; the last is the state the demo ended on, before the daemon's exit clean-up. */
  onFrame: (view: DemoView) => void;
  /** Log lines carried in each view (the screen shows fewer; plain output prints them all). */
  logLines?: number;
  /** Called once the daemon has connected and had its first look (or waits for Immich): time may run from then. */
  onStarted?: () => void;
  /** For the daemon's backoff jitter. */
  random?: () => number;
}

export interface DemoResult {
  summary: DemoSummary;
  /** The last frame (before the daemon's exit clean-up). */
  view: DemoView;
  /** Log lines written after the last frame: the daemon's exit clean-up. */
  exitLog: DemoView["log"];
}

/** What the scenario brings, in words, for the header. */
export function workloadText(scenario: ScenarioName, scale: number): string {
  const n = (x: number) => count(Math.round(x * scale));
  switch (scenario) {
    case "import":
      return `${n(IMPORT_PHOTOS)} photos, ${n(IMPORT_VIDEOS)} videos`;
    case "backlog":
      return `machine learning for ${n(BACKLOG_ASSETS)} assets, uploads trickling in`;
    case "nightly":
      return `Immich's nightly jobs; each night a library scan finds ${n(NIGHTLY_LIBRARY_PHOTOS)} photos, ${n(NIGHTLY_LIBRARY_VIDEOS)} videos`;
    case "idle":
      return "no work";
  }
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const { clock } = o;
  const realNow = o.realNow ?? (() => clock.now() / o.speed);
  const realStart = realNow();
  const startedAt = clock.now();
  const pollMs = o.pollMs ?? 10_000;
  const frameMs = o.frameMs ?? 250;
  const managed = DEFAULT_PRIORITY;
  // nightly: the ml queues get a time window that closes a few minutes in (demo-window.ts).
  const window = o.scenario === "nightly" ? demoWindow(startedAt, managed) : undefined;
  const workload = workloadText(o.scenario, o.scale) + (window ? `; WINDOWS="${window.text}" (UTC)` : "");

  const log = new DemoLog(() => clock.now());
  // The scenario is applied once the daemon has had its first look (below),
  // like an import started on a server the daemon already watches: applied
  // at start, the pipeline would run ungoverned until that first cycle. A
  // simulator bug is one line in the demo's log, never a stack trace on screen.
  const sim = await startSimulator({
    clock,
    profile: o.profile,
    seed: o.seed,
    keys: [DAEMON_KEY],
    scenario: "idle",
    onError: (e) => log.error(`simulator: unexpected error: ${e instanceof Error ? e.message : String(e)}`),
  });
  const client = createImmichClient({ baseUrl: sim.url, apiKey: DAEMON_KEY.key, fetch: o.fetch, clock, timeoutMs: 5_000 });

  let workStart: number | undefined;
  let observed = 0;
  let stopping = false;
  const watched: ImmichApi = {
    connect: (signal) => client.connect(signal),
    getSystemConfig: (signal) => client.getSystemConfig(signal),
    setPaused: (queue, paused, signal) => client.setPaused(queue, paused, signal),
    async observe(signal) {
      // Cycles are sequential, so when the second observation starts the
      // first cycle's commands have all been answered.
      if (observed > 0 && workStart === undefined && !stopping) {
        workStart = clock.now();
        applyScenario(sim.engine, o.scenario, { scale: o.scale });
        log.info(`${o.scenario} starts: ${workload}`);
      }
      const r = await client.observe(signal);
      observed++;
      return r;
    },
  };
  // Virtual time must not move while the daemon connects (real I/O, no
  // sleep on the clock yet): frames wait for its first sleep, i.e. until it
  // has connected and had its first look, or is waiting for Immich.
  const { clock: daemonClock, firstSleep: daemonSettled } = watchFirstSleep(clock);
  const passThrough = new PassThroughWatch({ client: watched, clock: daemonClock, log, managed });
  const daemon = new Daemon({
    client: watched,
    clock: daemonClock,
    log,
    // The daemon's defaults: standby, MAX_WAIT=10m, hand-overs at job speed.
    policy: { maxConcurrent: o.maxConcurrent, priority: managed, standby: true, maxWaitMs: CONFIG_DEFAULTS.maxWaitMs },
    pollIntervalMs: pollMs,
    minPollIntervalMs: CONFIG_DEFAULTS.minPollIntervalMs,
    dryRun: false,
    onExit: "resume",
    store: memoryStateStore(),
    random: o.random ?? (() => 0.5),
    ...(window ? { gates: new GateWatch({ schedule: window.schedule, managed }, daemonClock, log) } : {}),
    // As `run` does: the simulator's storage template is off (Immich's default), so its queue passes through.
    passThrough,
  });

  const stopDaemon = new AbortController();
  const stopFrames = new AbortController();
  const onAbort = () => stopFrames.abort();
  o.signal.addEventListener("abort", onAbort, { once: true });
  let failure: string | undefined;
  const running = daemon.run(stopDaemon.signal).catch((e: unknown) => {
    // The daemon only throws for what retrying cannot fix; against our own
    // simulator that is a bug, reported in the summary.
    failure = e instanceof Error ? e.message : String(e);
    stopFrames.abort();
  });
  const started = Promise.race([daemonSettled.then(() => o.onStarted?.()), running]);

  // One recording per frame serves both the view and the end check (a
  // snapshot copies every upload record).
  const view = (rec: Recording): DemoView =>
    buildView({
      version: `${sim.profile.version.major}.${sim.profile.version.minor}.${sim.profile.version.patch}`,
      url: sim.url,
      scenario: o.scenario,
      workload,
      startedAt,
      now: clock.now(),
      speed: o.speed,
      maxConcurrent: o.maxConcurrent,
      priority: managed,
      queues: sim.engine.list(),
      held: daemon.owned.held,
      passThrough: passThrough.queues,
      completed: rec.completedJobs,
      actions: log.actions(),
      daemon: daemon.health.state,
      uploads: rec.uploads,
      log: log.tail(o.logLines ?? 100),
      ...(daemon.latest ? { eta: daemon.latest.eta } : {}),
    });
  /** The workload has run and nothing more will ever happen (import ends; backlog and nightly never do). */
  const done = (rec: Recording) => {
    if (workStart === undefined) return false;
    const e = sim.engine;
    const worked = rec.uploads.length > 0 || Object.values(rec.completedJobs).some((n) => n > 0);
    return worked && e.isIdle() && e.nextEventAt() === undefined;
  };

  let outcome: Outcome = "interrupted";
  let rec = sim.engine.recording();
  let last = view(rec);
  let before, after;
  try {
    try {
      for (;;) {
        o.onFrame(last);
        if (failure !== undefined) {
          outcome = "failed";
          break;
        }
        if (o.signal.aborted) break;
        if (done(rec)) {
          outcome = "finished";
          break;
        }
        if (realNow() - realStart >= o.limitMs) {
          outcome = "time-limit";
          break;
        }
        await started;
        await clock.sleep(frameMs * o.speed, stopFrames.signal);
        rec = sim.engine.recording();
        last = view(rec);
      }
    } finally {
      o.signal.removeEventListener("abort", onAbort);
      stopping = true;
      stopDaemon.abort();
      await running;
    }
    before = sim.engine.recording();
    // Leave the server as found, as on SIGTERM (rule 9); its lines end the log.
    await daemon.shutdown().catch((e: unknown) => log.error(`exit clean-up failed: ${e instanceof Error ? e.message : String(e)}`));
    after = sim.engine.recording();
  } finally {
    await sim.stop();
  }

  const summary = summarize({
    outcome,
    scenario: o.scenario,
    before,
    after,
    actor: DAEMON_KEY.label,
    managed,
    maxConcurrent: o.maxConcurrent,
    workStart: workStart ?? startedAt,
    realMs: realNow() - realStart,
    speed: o.speed,
    limitS: o.limitMs / 1000,
    ...(failure !== undefined ? { error: failure } : {}),
  });
  const exitLog = log.since(last.log.at(-1)?.seq ?? 0).map((e) => viewLogLine(e, startedAt));
  return { summary, view: last, exitLog };
}
