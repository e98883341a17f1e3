// A daemon with its status wiring (recorder, wrapped client, and the HTTP
// server when STATUS_ADDR is given) against the simulator over real HTTP,
// configured through the real loadConfig, in virtual time. The tests ask the
// status handler in process, or the real server over a socket.

import { loadConfig } from "../../src/config/index.ts";
import { Daemon } from "../../src/daemon/daemon.ts";
import { GateWatch } from "../../src/daemon/gates.ts";
import { PassThroughWatch } from "../../src/daemon/pass-through-watch.ts";
import { ControlKeeper } from "../../src/daemon/control-keeper.ts";
import { createMlProbe } from "../../src/daemon/ml-probe.ts";
import { openPressure, type PressureSource } from "../../src/daemon/pressure.ts";
import { readFileSync } from "node:fs";
import { memoryLog } from "../../src/daemon/log.ts";
import { memoryStateStore } from "../../src/daemon/state-file.ts";
import { createImmichClient } from "../../src/immich/index.ts";
import { type Clock, VirtualClock, watchFirstSleep } from "../../src/shared/clock.ts";
import { startSimulator, type Simulator } from "../../src/simulator/server.ts";
import { createStatusHandler } from "../../src/status/http.ts";
import { STATUS_PAGE } from "../../src/status/page.ts";
import { startStatus, type StatusWiring } from "../../src/cli/status-wiring.ts";

export const KEY = "status-daemon-key-0123456789abcdef";
export const PERSON = "status-person-key-0123456789";

export interface StatusHarness {
  sim: Simulator;
  clock: VirtualClock;
  wiring: StatusWiring;
  log: ReturnType<typeof memoryLog>;
  /** The owner's instructions (rule 16), shared by the daemon and the status server. */
  control: ControlKeeper;
  store: ReturnType<typeof memoryStateStore>;
  daemon: Daemon;
  /** The status server's handler, called in process. */
  get(path: string, init?: RequestInit): Response;
  advance(ms: number): Promise<void>;
  person(queue: string, paused: boolean): Promise<Response>;
  stop(): Promise<void>;
}

export async function startStatusHarness(
  env: Record<string, string> = {},
  opts: { clock?: Clock; virtual?: VirtualClock; ml?: boolean; /** A fake /proc for MAX_PRESSURE. */ procRoot?: string; /** Queues the server reports beyond its profile's. */ extraQueues?: readonly string[]; /** Read the storage template setting as `run` does (core/pass-through.ts). */ passThrough?: boolean } = {},
): Promise<StatusHarness> {
  const clock = opts.virtual ?? new VirtualClock(Date.UTC(2026, 10, 28, 12));
  const sim = await startSimulator({
    clock,
    profile: "v3.1",
    seed: 5,
    ...(opts.ml ? { mlPort: 0 } : {}),
    ...(opts.extraQueues ? { extraQueues: opts.extraQueues } : {}),
    keys: [
      { key: KEY, label: "daemon", admin: true, scopes: ["all"] },
      { key: PERSON, label: "person", admin: true, scopes: ["all"] },
    ],
  });
  const mlEnv: Record<string, string> = sim.ml ? { ML_URL: sim.ml.url } : {};
  const loaded = loadConfig({ IMMICH_URL: sim.url, API_KEY: KEY, MAX_CONCURRENT_JOBS: "2", POLL_INTERVAL: "10", ...mlEnv, ...env }, () => "");
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join("\n"));
  const config = loaded.config;
  const daemonClock = opts.clock ?? clock;
  const log = memoryLog();
  const client = createImmichClient({ baseUrl: sim.url, apiKey: KEY, fetch, clock: daemonClock, timeoutMs: 5_000 });
  const store = memoryStateStore();
  const control = new ControlKeeper({ store, log, managed: config.managedQueues, configuredN: config.maxConcurrentJobs, zone: config.timeZone ?? "UTC" });
  const wiring = startStatus(config, client, daemonClock, log, fetch, { record: true, control });
  if ("problem" in wiring) throw new Error(wiring.problem);
  const { clock: watched, firstSleep } = watchFirstSleep(daemonClock);
  const daemon = new Daemon({
    client: wiring.client,
    clock: watched,
    log,
    policy: { maxConcurrent: config.maxConcurrentJobs, priority: config.managedQueues },
    pollIntervalMs: config.pollIntervalMs,
    dryRun: false,
    onExit: "resume",
    store,
    control,
    random: () => 0.5,
    heartbeat: wiring.beat,
    ...(config.schedule || config.mlUrls || config.maxPressure
      ? {
          gates: new GateWatch(
            {
              managed: config.managedQueues,
              ...(config.schedule ? { schedule: config.schedule } : {}),
              ...(config.mlUrls ? { ml: { urls: config.mlUrls, probe: createMlProbe(config.mlUrls, fetch) } } : {}),
              ...(config.maxPressure ? { pressure: openPressure(config.maxPressure, opts.procRoot ?? "/proc", (p) => readFileSync(p, "utf8")) as PressureSource } : {}),
            },
            daemonClock,
          ),
        }
      : {}),
    onCycle: wiring.onCycle,
    ...(opts.passThrough ? { passThrough: new PassThroughWatch({ client: wiring.client, clock: daemonClock, log, managed: config.managedQueues }) } : {}),
  });
  const controller = new AbortController();
  const running = daemon.run(controller.signal);
  await Promise.race([firstSleep, running]);
  const handler = createStatusHandler({ snapshot: () => wiring.recorder.current, now: () => daemonClock.now(), page: STATUS_PAGE });
  return {
    sim,
    clock,
    wiring,
    log,
    control,
    store,
    daemon,
    get: (path, init) => handler(new Request(`http://status.test${path}`, init)),
    advance: (ms) => clock.advance(ms),
    person: (queue, paused) =>
      fetch(`${sim.url}/api/queues/${queue}`, {
        method: "PUT",
        headers: { "x-api-key": PERSON, "content-type": "application/json" },
        body: JSON.stringify({ isPaused: paused }),
      }),
    async stop() {
      controller.abort();
      await running;
      await daemon.shutdown();
      await wiring.stop();
      await sim.stop();
    },
  };
}
