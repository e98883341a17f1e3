// The Daemon's runs as they happen in production, minus the wall clock: the
// real Daemon class on a VirtualClock, talking either in-process to the
// simulator's engine (engine-client.ts: fast, every seed) or over real HTTP
// on 127.0.0.1 to the in-process simulator with the real Immich client (one
// seed per cell, to show the two agree). Its commands and requests are
// counted as they leave (a pass-through counter; nothing is stubbed). The
// run loop (simulate.ts) stops at every instant the daemon wakes, so the
// slot meter sees every state its actions create.

import { DEFAULT_PRIORITY } from "../src/core/queues.ts";
import { Daemon, type ImmichApi } from "../src/daemon/daemon.ts";
import { PassThroughWatch } from "../src/daemon/pass-through-watch.ts";
import type { Log } from "../src/daemon/log.ts";
import { memoryStateStore } from "../src/daemon/state-file.ts";
import { createImmichClient, type Fetch } from "../src/immich/index.ts";
import { VirtualClock, watchFirstSleep } from "../src/shared/clock.ts";
import { createEngine } from "../src/simulator/engine.ts";
import type { Engine } from "../src/simulator/engine-types.ts";
import { PROFILES } from "../src/simulator/profiles.ts";
import { startSimulator } from "../src/simulator/server.ts";
import { type DaemonPolicy, MAX_WAIT_MS } from "./controllers.ts";
import { engineClient } from "./engine-client.ts";
import { RequestMeter } from "./requests.ts";
import { BENCH_START, managedOf, type RunResult, type RunSpec, runLoop, scheduleWorkload, type World } from "./simulate.ts";

const DAEMON_KEY = "bench-daemon-key-0001";

/** A failure of the run itself (the daemon could not start, or stopped polling). */
export class DaemonRunError extends Error {
  override name = "DaemonRunError";
}

/** A log that keeps only warnings and errors: a long run logs thousands of info lines. */
function problemLog(problems: string[]): Log {
  return {
    debug() {},
    info() {},
    warn: (msg) => problems.push(`warn: ${msg}`),
    error: (msg) => problems.push(`error: ${msg}`),
  };
}

export interface DaemonRunResult extends RunResult {
  /** Every request the client made (observations, commands, the start-up checks). */
  requests: number;
  /** Warnings and errors the daemon logged (a clean run has none). */
  problems: string[];
}

export async function runDaemon(spec: RunSpec & { policy: DaemonPolicy }, via: "direct" | "http"): Promise<DaemonRunResult> {
  const problems: string[] = [];
  const clock = new VirtualClock(BENCH_START);
  let engine: Engine;
  let stopServer = async () => {};
  let requests = 0;
  let client: ImmichApi;
  let meter: RequestMeter;
  const managed = new Set(managedOf(spec.params.profile));
  if (via === "direct") {
    engine = createEngine(clock, { queues: PROFILES[spec.params.profile].queues, seed: spec.params.seed });
    meter = new RequestMeter(engine, managed);
    const inner = engineClient(engine, spec.params.profile, meter);
    client = {
      connect: (...a) => (requests++, inner.connect(...a)),
      observe: (...a) => (requests++, inner.observe(...a)),
      setPaused: (...a) => (requests++, inner.setPaused(...a)),
      getSystemConfig: (...a) => (requests++, inner.getSystemConfig!(...a)),
    };
  } else {
    const sim = await startSimulator({
      clock,
      profile: spec.params.profile,
      seed: spec.params.seed,
      keys: [{ key: DAEMON_KEY, label: "daemon", admin: true, scopes: ["all"] }],
      onError: (e) => problems.push(`simulator: ${String(e)}`),
    });
    stopServer = () => sim.stop();
    engine = sim.engine;
    meter = new RequestMeter(engine, managed);
    const m = meter;
    const counting: Fetch = (input, init) => {
      requests++;
      const method = init?.method === "PUT" ? "PUT" : "GET";
      let paused: boolean | undefined;
      if (method === "PUT" && typeof init?.body === "string") {
        // Commands carry isPaused; the start-up permission probe sends {} and changes nothing.
        const body = JSON.parse(init.body) as { isPaused?: boolean; command?: string };
        paused = body.isPaused ?? (body.command === undefined ? undefined : body.command === "pause");
      }
      // Only the queue observations count as the daemon's looks (the start-up checks are not).
      const url = String(input);
      if (method === "PUT" || /\/api\/(queues|jobs)(\?|$)/.test(url)) m.request(method, paused);
      return fetch(input, init);
    };
    client = createImmichClient({ baseUrl: sim.url, apiKey: DAEMON_KEY, fetch: counting, clock, timeoutMs: 10_000 });
  }
  const { clock: daemonClock, firstSleep } = watchFirstSleep(clock);
  const log = problemLog(problems);
  const daemon = new Daemon({
    client,
    clock: daemonClock,
    log,
    policy: { maxConcurrent: spec.n, priority: DEFAULT_PRIORITY, standby: true, maxWaitMs: MAX_WAIT_MS[spec.policy] },
    pollIntervalMs: spec.params.pollMs,
    minPollIntervalMs: spec.params.minPollMs,
    dryRun: false,
    onExit: "resume",
    store: memoryStateStore(),
    random: () => 0.5,
    // As `run` does: the storage template off (Immich's default) lets its queue pass through (core/pass-through.ts).
    passThrough: new PassThroughWatch({ client, clock: daemonClock, log, managed: DEFAULT_PRIORITY }),
  });
  const workloadAt = scheduleWorkload(engine, spec);
  const controller = new AbortController();
  const running = daemon.run(controller.signal);
  try {
    await startUp(firstSleep, running);
    const world: World = {
      engine,
      meter,
      now: () => clock.now(),
      nextWakeAt: () => clock.nextAt,
      advanceTo: async (t) => {
        await clock.advance(t - clock.now(), via === "direct" ? 1_000 : 5_000);
        if (clock.pending === 0) throw new DaemonRunError(`the daemon stopped polling at ${new Date(clock.now()).toISOString()}: ${problems.join("; ") || "no log line says why"}`);
      },
      atInstant: () => {}, // the daemon looked by itself as the clock passed this instant
      async stop() {
        controller.abort();
        await running;
        meter.exiting = true;
        await daemon.shutdown();
      },
    };
    const r = await runLoop(world, spec, workloadAt, via);
    return { ...r, requests, problems };
  } finally {
    controller.abort();
    await stopServer();
  }
}

/**
 * Waits for the daemon's start-up (real time, never simulated time): until
 * it first sleeps on the clock, or fails if its run loop ends first or it
 * takes more than `maxMs` of real time.
 */
async function startUp(firstSleep: Promise<void>, running: Promise<void>, maxMs = 10_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tooLong = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DaemonRunError(`the daemon did not start within ${maxMs / 1000} s of real time`)), maxMs);
  });
  const ended = running.then(
    () => Promise.reject(new DaemonRunError("the daemon did not start: its run loop ended")),
    (e: unknown) => Promise.reject(new DaemonRunError(`the daemon did not start: ${e instanceof Error ? e.message : String(e)}`)),
  );
  try {
    await Promise.race([firstSleep, ended, tooLong]);
  } finally {
    clearTimeout(timer);
    ended.catch(() => {});
  }
}
