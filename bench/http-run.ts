// The daemon's runs as they happen in production, minus the wall clock: the
// real Daemon class and the real Immich client, over real HTTP on 127.0.0.1,
// against the in-process simulator (startSimulator), everything on one
// VirtualClock. The run loop (simulate.ts) is the same as for the
// in-process runs; here the daemon polls by itself when the clock passes its
// poll instants, and its commands are counted as they leave the client
// (a pass-through counter around Bun's fetch; nothing is stubbed).

import { DEFAULT_PRIORITY } from "../src/core/queues.ts";
import { Daemon } from "../src/daemon/daemon.ts";
import type { Log } from "../src/daemon/log.ts";
import { memoryStateStore } from "../src/daemon/state-file.ts";
import { createImmichClient, type Fetch } from "../src/immich/index.ts";
import { VirtualClock, watchFirstSleep } from "../src/shared/clock.ts";
import { startSimulator } from "../src/simulator/server.ts";
import type { CommandCount } from "./controllers.ts";
import type { RunMetrics } from "./metrics.ts";
import { BENCH_START, type RunSpec, runLoop, scheduleWorkload, type World } from "./simulate.ts";

const DAEMON_KEY = "bench-daemon-key-0001";

/** A failure of the HTTP run itself (the daemon could not start, or logged an error). */
export class HttpRunError extends Error {
  override name = "HttpRunError";
}

export interface HttpRunResult {
  metrics: RunMetrics;
  /** Every request the client made (observations, commands, the start-up checks). */
  requests: number;
  /** Warnings and errors the daemon logged (a clean run has none). */
  problems: string[];
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

export async function runOverHttp(spec: RunSpec): Promise<HttpRunResult> {
  if (spec.policy !== "daemon") throw new HttpRunError(`only the daemon runs over HTTP, not ${spec.policy}`);
  const problems: string[] = [];
  const clock = new VirtualClock(BENCH_START);
  const sim = await startSimulator({
    clock,
    profile: spec.params.profile,
    seed: spec.params.seed,
    keys: [{ key: DAEMON_KEY, label: "daemon", admin: true, scopes: ["all"] }],
    onError: (e) => problems.push(`simulator: ${String(e)}`),
  });
  let requests = 0;
  let exiting = false;
  const sent: CommandCount = { pauses: 0, resumes: 0 };
  const sentOnExit: CommandCount = { pauses: 0, resumes: 0 };
  const counting: Fetch = (input, init) => {
    requests++;
    if (init?.method === "PUT" && typeof init.body === "string") {
      // Commands carry isPaused; the start-up permission probe sends {} and changes nothing.
      const body = JSON.parse(init.body) as { isPaused?: boolean; command?: string };
      const paused = body.isPaused ?? (body.command === undefined ? undefined : body.command === "pause");
      if (paused !== undefined) {
        const c = exiting ? sentOnExit : sent;
        if (paused) c.pauses++;
        else c.resumes++;
      }
    }
    return fetch(input, init);
  };
  const client = createImmichClient({ baseUrl: sim.url, apiKey: DAEMON_KEY, fetch: counting, clock, timeoutMs: 10_000 });
  // The daemon's first sleep on the clock ends its start-up.
  const { clock: daemonClock, firstSleep } = watchFirstSleep(clock);
  const daemon = new Daemon({
    client,
    clock: daemonClock,
    log: problemLog(problems),
    policy: { maxConcurrent: spec.n, priority: DEFAULT_PRIORITY },
    pollIntervalMs: spec.params.pollMs,
    dryRun: false,
    onExit: "resume",
    store: memoryStateStore(),
    random: () => 0.5,
  });
  const workloadAt = scheduleWorkload(sim.engine, spec);
  const controller = new AbortController();
  const running = daemon.run(controller.signal);
  try {
    // Connect and the first cycle happen at the start instant; the daemon is
    // then asleep until its next poll.
    await startUp(firstSleep, running);
    const world: World = {
      engine: sim.engine,
      now: () => clock.now(),
      advanceTo: async (t) => {
        await clock.advance(t - clock.now());
        if (clock.pending === 0) throw new HttpRunError(`the daemon stopped polling at ${new Date(clock.now()).toISOString()}: ${problems.join("; ") || "no log line says why"}`);
      },
      pollNow() {}, // the daemon polled as the clock passed this instant
      async stop() {
        controller.abort();
        await running;
        exiting = true;
        await daemon.shutdown();
      },
      sent: () => sent,
      sentOnExit: () => sentOnExit,
    };
    const metrics = await runLoop(world, spec, workloadAt, "http");
    return { metrics, requests, problems };
  } finally {
    controller.abort();
    await sim.stop();
  }
}

/**
 * Waits for the daemon's start-up I/O (real time, never simulated time):
 * until it first sleeps on the clock, or fails if its run loop ends first
 * (a start-up failure) or it takes more than `maxMs` of real time.
 */
async function startUp(firstSleep: Promise<void>, running: Promise<void>, maxMs = 10_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tooLong = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HttpRunError(`the daemon did not start within ${maxMs / 1000} s of real time`)), maxMs);
  });
  const ended = running.then(
    () => Promise.reject(new HttpRunError("the daemon did not start: its run loop ended")),
    (e: unknown) => Promise.reject(new HttpRunError(`the daemon did not start: ${e instanceof Error ? e.message : String(e)}`)),
  );
  try {
    await Promise.race([firstSleep, ended, tooLong]);
  } finally {
    clearTimeout(timer);
    // Whichever lost the race must not surface as an unhandled rejection later.
    ended.catch(() => {});
  }
}
