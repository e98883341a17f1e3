// The daemon against the simulator over real HTTP on 127.0.0.1, in virtual
// time: hours of simulated work in a second, identical run to run.
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { Daemon } from "../../src/daemon/daemon.ts";
import { type GateSources, GateWatch } from "../../src/daemon/gates.ts";
import { PassThroughWatch } from "../../src/daemon/pass-through-watch.ts";
import { memoryLog } from "../../src/daemon/log.ts";
import { memoryStateStore } from "../../src/daemon/state-file.ts";
import { createImmichClient } from "../../src/immich/index.ts";
import { VirtualClock, watchFirstSleep } from "../../src/shared/clock.ts";
import { driveSleeps, sleepWatch } from "./drive.ts";
import type { ProfileName } from "../../src/simulator/profiles.ts";
import { startSimulator, type Simulator } from "../../src/simulator/server.ts";

export const DAEMON_KEY = "daemon-key-0001";
export const PERSON_KEY = "person-key-0001";
export const SECOND_DAEMON_KEY = "daemon-b-key-0001";
/** immich-go's admin key (test/helpers/immich-go.ts); its changes are recorded as "immich-go". */
export const IMMICH_GO_KEY = "immich-go-key-0001";

export interface Harness {
  sim: Simulator;
  clock: VirtualClock;
  daemon: Daemon;
  log: ReturnType<typeof memoryLog>;
  store: ReturnType<typeof memoryStateStore>;
  /** Aborts the run loop and waits for the daemon's exit clean-up. */
  stop(): Promise<void>;
  /** Moves simulated time on, letting the daemon poll on its own schedule. */
  advance(ms: number): Promise<void>;
  /** Pause or resume as a person would, with another admin key. */
  person(queue: string, paused: boolean): Promise<Response>;
  /** The daemon's run loop, resolved when it ends. */
  running: Promise<void>;
  /** Requests the first daemon's client made, by method (a pass-through count around fetch). */
  readonly requestsBy: { GET: number; PUT: number };
  /** Another daemon with the same configuration and its own key (label "daemon-b") on the same server. */
  addDaemon(): Promise<RunningDaemon>;
  /** HTTP requests the first daemon has sent so far. */
  readonly requests: number;
}

export interface HarnessOptions {
  profile?: ProfileName;
  maxConcurrent?: number;
  pollMs?: number;
  /** Rule 12's floor; default pollMs (a fixed pace, as before rule 12). */
  minPollMs?: number;
  /** Rule 12's standby; default off. */
  standby?: boolean;
  /** Rule 7; default off. */
  maxWaitMs?: number | null;
  /** Read whether the storage template is off, so that its queue passes through (core/pass-through.ts), as `run` does; default off. */
  passThrough?: boolean;

  priority?: readonly string[];
  onExit?: "resume" | "keep";
  dryRun?: boolean;
  seed?: number;
  /**
   * Simulated time each request takes (the simulation moves on while the
   * answer travels, as on a busy real server). Default 0.
   */
  requestLatencyMs?: number;
  /** Windows, ML gate, pressure (src/daemon/gates.ts); a function gets the simulator (e.g. for its ML service's URL). */
  gates?: GateSources | ((sim: Simulator) => GateSources);
  /** Start the simulator's machine-learning service (0: any free port). */
  mlPort?: number;
  /** Simulated start time (default 2026-11-28 12:00 UTC). */
  startAt?: number;
  /** Called with the simulator before the daemon starts (queues paused before it, faults at its first look). */
  before?: (sim: Simulator) => void;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const clock = new VirtualClock(opts.startAt ?? Date.UTC(2026, 10, 28, 12));
  const sim = await startSimulator({
    clock,
    profile: opts.profile ?? "v3.1",
    seed: opts.seed ?? 7,
    ...(opts.mlPort !== undefined ? { mlPort: opts.mlPort } : {}),
    keys: [
      { key: DAEMON_KEY, label: "daemon", admin: true, scopes: ["all"] },
      { key: PERSON_KEY, label: "person", admin: true, scopes: ["all"] },
      { key: SECOND_DAEMON_KEY, label: "daemon-b", admin: true, scopes: ["all"] },
      { key: IMMICH_GO_KEY, label: "immich-go", admin: true, scopes: ["all"] },
    ],
  });
  opts.before?.(sim);
  const first = await spawnDaemon(sim, clock, DAEMON_KEY, opts);
  const others: RunningDaemon[] = [];
  return {
    sim,
    clock,
    daemon: first.daemon,
    log: first.log,
    store: first.store,
    running: first.running,
    get requests() {
      return first.requests();
    },
    get requestsBy() {
      return first.requestsBy;
    },
    advance: (ms) => clock.advance(ms),
    async addDaemon() {
      const d = await spawnDaemon(sim, clock, SECOND_DAEMON_KEY, opts);
      others.push(d);
      return d;
    },
    async stop() {
      for (const d of [first, ...others]) await d.stop();
      await sim.stop();
    },
    person: (queue, paused) =>
      fetch(`${sim.url}/api/${sim.profile.hasQueuesApi ? `queues/${queue}` : `jobs/${queue}`}`, {
        method: "PUT",
        headers: { "x-api-key": PERSON_KEY, "content-type": "application/json" },
        body: JSON.stringify(sim.profile.hasQueuesApi ? { isPaused: paused } : { command: paused ? "pause" : "resume", force: false }),
      }),
  };
}

export interface RunningDaemon {
  daemon: Daemon;
  log: ReturnType<typeof memoryLog>;
  store: ReturnType<typeof memoryStateStore>;
  running: Promise<void>;
  /** HTTP requests it has sent so far. */
  requests(): number;
  /** The same, by method. */
  requestsBy: { GET: number; PUT: number };
  /** Aborts its run loop and waits for its exit clean-up. */
  stop(): Promise<void>;
}

/** A daemon with its own key, log and state on the harness's simulator and clock, after its first look. */
async function spawnDaemon(sim: Simulator, clock: VirtualClock, apiKey: string, opts: HarnessOptions): Promise<RunningDaemon> {
  const latency = opts.requestLatencyMs ?? 0;
  let requests = 0;
  const requestsBy = { GET: 0, PUT: 0 };
  const countingFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    requests++;
    const method = (init?.method ?? "GET") as "GET" | "PUT";
    if (method in requestsBy) requestsBy[method]++;
    if (latency) clock.set(clock.now() + latency);
    return fetch(input, init);
  }) as typeof fetch;
  const client = createImmichClient({ baseUrl: sim.url, apiKey, fetch: countingFetch, clock, timeoutMs: 5_000 });
  const log = memoryLog();
  const store = memoryStateStore();
  const watch = sleepWatch(clock);
  const { clock: daemonClock, firstSleep } = watchFirstSleep(watch.clock);
  const daemon = new Daemon({
    client,
    clock: daemonClock,
    log,
    policy: {
      maxConcurrent: opts.maxConcurrent ?? 1,
      priority: opts.priority ?? DEFAULT_PRIORITY,
      standby: opts.standby ?? false,
      maxWaitMs: opts.maxWaitMs ?? null,
    },
    pollIntervalMs: opts.pollMs ?? 10_000,
    ...(opts.minPollMs !== undefined ? { minPollIntervalMs: opts.minPollMs } : {}),
    dryRun: opts.dryRun ?? false,
    onExit: opts.onExit ?? "resume",
    store,
    random: () => 0.5,
    // The exit clean-up's budget and backoff in virtual time too; stop() drives it.
    exitClock: watch.clock,
    ...(opts.gates ? { gates: new GateWatch(typeof opts.gates === "function" ? opts.gates(sim) : opts.gates, daemonClock, log) } : {}),
    ...(opts.passThrough ? { passThrough: new PassThroughWatch({ client, clock: daemonClock, log, managed: opts.priority ?? DEFAULT_PRIORITY }) } : {}),
  });
  const controller = new AbortController();
  const running = daemon.run(controller.signal);
  // Let it connect and run its first cycle: done once it sleeps until its next poll.
  await Promise.race([firstSleep, running]); // (a start that fails ends `running`)
  let stopped = false;
  return {
    daemon,
    log,
    store,
    running,
    requests: () => requests,
    requestsBy,
    async stop() {
      if (stopped) return;
      stopped = true;
      controller.abort();
      await running;
      // The exit clean-up may wait between tries (Immich down): time moves for it.
      await driveSleeps(clock, watch, daemon.shutdown());
    },
  };
}
