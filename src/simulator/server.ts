// The simulator as a running server: builds the engine for a profile, puts
// the Immich handler (http.ts) and the control endpoint (control.ts) behind
// one Bun.serve on a loopback address, and owns the socket, so a restart can
// really refuse connections for a while. Used by the `simulator` command, the
// demo, the daemon's tests and the benchmark:
//   const sim = await startSimulator({ keys: [...], clock: new VirtualClock() });
//   ... talk to sim.url over real HTTP, drive time with the clock ...
//   await sim.stop();

import { consola } from "consola";
import { type Clock, ScaledClock, systemClock } from "../shared/clock.ts";
import type { ApiKey } from "./auth.ts";
import { CONTROL_PREFIX, type RestartOptions, createControlHandler } from "./control.ts";
import { createEngine } from "./engine.ts";
import type { Engine, EngineOptions } from "./engine-types.ts";
import { type FaultPatch, Faults } from "./faults.ts";
import { type FetchHandler, createImmichHandler } from "./http.ts";
import { type MlService, startMlService } from "./ml-service.ts";
import { DEFAULT_PROFILE, PROFILES, PROFILE_NAMES, type Profile, type ProfileName } from "./profiles.ts";
import { createSystemConfig } from "./system-config.ts";
import { type HostExporter, startHostExporter, writePsiFiles } from "./host-exporter.ts";
import { HOST_PROFILES, HOST_PROFILE_NAMES, type HostProfile, type HostProfileName, isHostProfileName } from "./host-profiles.ts";
import { SCENARIO_NAMES, type ScenarioName, type ScenarioOptions, applyScenario, isScenarioName } from "./scenarios.ts";

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** A loopback address (default 127.0.0.1); anything else is refused. */
  hostname?: string;
  profile?: ProfileName;
  /** API keys the server accepts (see auth.ts parseKeySpec for the CLI form). */
  keys?: readonly ApiKey[];
  /** Scenario applied at start (default idle): import, backlog, nightly, idle. */
  scenario?: ScenarioName | string;
  /** Scenario tuning, e.g. { scale: 0.05 } for a quick test. */
  scenarioOptions?: ScenarioOptions;
  /** Real time sped up this much (ScaledClock) when no clock is given; default 1. */
  speed?: number;
  /** The simulation's clock; e.g. a VirtualClock for in-process runs. Overrides speed. */
  clock?: Clock;
  /** Seeds the engine (durations, arrivals) and the faults. Default 1. */
  seed?: number;
  /** Faults active from the start. */
  faults?: FaultPatch;
  /** Engine tuning: per-queue concurrency, durations, jitter. */
  engine?: Pick<EngineOptions, "concurrency" | "durations" | "videoDurations" | "jitter">;
  /** Real-time waits (latency fault, socket hand-over); default the system clock's. */
  realSleep?: (ms: number) => Promise<void>;
  /** Where unexpected errors go (a bug if it ever fires); default stderr. */
  onError?: (error: unknown) => void;
  /**
   * Queues the server reports beyond its profile's, listed last (a newer
   * Immich, or a hostile server naming a queue `constructor`): they hold
   * jobs, pause and resume like any other.
   */
  extraQueues?: readonly string[];
  /**
   * Immich runs with IMMICH_CONFIG_FILE: `PUT /api/system-config` answers 400
   * "Cannot update configuration while IMMICH_CONFIG_FILE is in use" (as the
   * recorded servers did). Default false: PUTs apply.
   */
  configFile?: boolean;
  /**
   * Model the host's CPU (host.ts): a profile name (real-2core, nas-4core) or
   * a whole profile. Jobs then cost CPU, slow down when the cores are
   * oversubscribed, and pressure accrues; outside loads can be added
   * (POST /__simulator/host). Default: no host (jobs take their durations).
   */
  host?: HostProfileName | HostProfile;
  /** The modelled host's number of cores, instead of the profile's. */
  hostCores?: number;
  /** Write /proc/pressure-format files `cpu`, `io`, `memory` into this directory (needs a host). */
  psiDir?: string;
  /** How often the PSI files are rewritten, in real ms (default 250). */
  psiEveryMs?: number;
  /** Serve node_exporter's pressure metrics at /metrics on this port (0 picks one; needs a host). */
  exporterPort?: number;
  /** Also serve a machine-learning service (its own /ping) on this port (0 picks a free one); see ml-service.ts. */
  mlPort?: number;
}

export interface Simulator {
  url: string;
  port: number;
  hostname: string;
  profile: Profile;
  engine: Engine;
  clock: Clock;
  faults: Faults;
  keys: readonly ApiKey[];
  /** The machine-learning service, when started with mlPort. */
  ml?: MlService;
  /** The node_exporter stand-in, when started with exporterPort. */
  exporter?: HostExporter;
  /** Rewrite the PSI files now (they are also rewritten every psiEveryMs of real time). */
  writePressure(): void;
  /** The whole server as a fetch handler (Immich API + control endpoint). */
  handler: FetchHandler;
  /**
   * What POST /__simulator/restart does, at once: in mode "refuse" the socket
   * is closed when this returns, and opens again `downMs` later on the clock.
   */
  restart(opts?: RestartOptions): void;
  /** Closes the socket (and any pending re-listen). Idempotent. */
  stop(): Promise<void>;
}

/** A bad option, with a message fit for one line (the CLI prints it). */
export class SimulatorOptionError extends Error {
  override name = "SimulatorOptionError";
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|\[::1\]|localhost)$/;

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const profileName = opts.profile ?? DEFAULT_PROFILE;
  const base = Object.hasOwn(PROFILES, profileName) ? PROFILES[profileName] : undefined;
  if (!base) {
    throw new SimulatorOptionError(`unknown profile ${JSON.stringify(profileName)}; use one of ${PROFILE_NAMES.join(", ")}`);
  }
  const scenario = opts.scenario ?? "idle";
  if (!isScenarioName(scenario)) {
    throw new SimulatorOptionError(`unknown scenario ${JSON.stringify(scenario)}; use one of ${SCENARIO_NAMES.join(", ")}`);
  }
  const extra = (opts.extraQueues ?? []).filter((q) => !base.queues.includes(q));
  if (new Set(extra).size !== extra.length || extra.some((q) => q === "")) {
    throw new SimulatorOptionError(`extra queues ${JSON.stringify(opts.extraQueues)}: each must be named, once`);
  }
  const profile: Profile = extra.length === 0 ? base : { ...base, queues: [...base.queues, ...extra], legacyJobsOrder: [...base.legacyJobsOrder, ...extra] };
  const hostname = opts.hostname ?? "127.0.0.1";
  if (!LOOPBACK.test(hostname)) {
    throw new SimulatorOptionError(`hostname ${JSON.stringify(hostname)} is not a loopback address; use 127.0.0.1 or ::1`);
  }
  const port = opts.port ?? 0;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    throw new SimulatorOptionError(`port ${port} is not a port number; use 0..65535 (0 picks a free one)`);
  }
  const seed = opts.seed ?? 1;
  const clock = opts.clock ?? new ScaledClock(opts.speed ?? 1);
  const realSleep = opts.realSleep ?? ((ms: number) => systemClock.sleep(ms));
  const onError = opts.onError ?? ((e: unknown) => consola.error("simulator: unexpected error:", e));
  const keys = opts.keys ?? [];

  let host: HostProfile | undefined;
  if (opts.host !== undefined) {
    if (typeof opts.host === "string" && !isHostProfileName(opts.host)) {
      throw new SimulatorOptionError(`unknown host profile ${JSON.stringify(opts.host)}; use one of ${HOST_PROFILE_NAMES.join(", ")}`);
    }
    host = typeof opts.host === "string" ? HOST_PROFILES[opts.host] : opts.host;
    if (opts.hostCores !== undefined) {
      if (!(Number.isInteger(opts.hostCores) && opts.hostCores >= 1 && opts.hostCores <= 1024)) {
        throw new SimulatorOptionError(`host cores ${opts.hostCores} is not a whole number from 1 to 1024`);
      }
      host = { ...host, cores: opts.hostCores };
    }
  } else if (opts.psiDir !== undefined || opts.exporterPort !== undefined || opts.hostCores !== undefined) {
    throw new SimulatorOptionError(`PSI files, the /metrics exporter and host cores need a modelled host; give a host profile (${HOST_PROFILE_NAMES.join(", ")})`);
  }
  const engine = createEngine(clock, { queues: profile.queues, seed, ...opts.engine, ...(host ? { host } : {}) });
  applyScenario(engine, scenario, opts.scenarioOptions);
  const faults = new Faults(seed, opts.faults);

  let server: ReturnType<typeof Bun.serve> | undefined;
  let stopped = false;
  const outage = new AbortController();

  /**
   * Immich restarts now: the engine re-queues active jobs and resumes
   * metadataExtraction; for `downMs` of simulated time the server answers 503
   * or (mode "refuse") does not listen at all. `closeAfterMs` delays closing
   * the socket in real time, so that the control endpoint's own answer gets
   * out first.
   */
  const restart = (r: RestartOptions = {}, closeAfterMs = 0) => {
    engine.restart();
    const downMs = r.downMs ?? 0;
    if (downMs <= 0) return;
    if ((r.mode ?? "503") === "503") {
      faults.unavailableUntil = clock.now() + downMs;
      return;
    }
    const reopenAt = clock.now() + downMs;
    const close = () => {
      if (stopped || !server) return;
      server.stop(true);
      server = undefined;
      void (async () => {
        await clock.sleep(reopenAt - clock.now(), outage.signal);
        if (stopped) return;
        try {
          server = listen(boundPort);
        } catch (e) {
          onError(new Error(`could not listen on ${hostname}:${boundPort} again after the restart: ${String(e)}`));
        }
      })();
    };
    if (closeAfterMs > 0) void realSleep(closeAfterMs).then(close);
    else close();
  };

  const config = createSystemConfig(profile, engine, { configFile: opts.configFile ?? false });
  const immich = createImmichHandler({ profile, engine, clock, keys, faults, config, realSleep, onError });
  let ml: MlService | undefined;
  const control = createControlHandler({ profile, engine, clock, keys, faults, restart: (r) => restart(r, 20), ml: () => ml });
  const handler: FetchHandler = (req) => {
    const { pathname } = new URL(req.url);
    const isControl = pathname === CONTROL_PREFIX || pathname.startsWith(`${CONTROL_PREFIX}/`);
    return isControl ? control(req) : immich(req);
  };

  const listen = (p: number) =>
    Bun.serve({
      hostname,
      port: p,
      fetch: handler,
      error(e) {
        onError(e);
        return new Response("Internal Server Error", { status: 500 });
      },
    });

  try {
    server = listen(port);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "EADDRINUSE") {
      throw new SimulatorOptionError(`port ${port} on ${hostname} is already in use; pick another with --port (0 picks a free one)`);
    }
    if (code === "EACCES") {
      throw new SimulatorOptionError(`not allowed to listen on port ${port}; use a port above 1023 (0 picks a free one)`);
    }
    throw e;
  }
  const boundPort = server.port ?? port;
  if (opts.mlPort !== undefined) {
    try {
      ml = startMlService({ hostname, port: opts.mlPort, engine });
    } catch (e) {
      server.stop(true);
      const code = (e as { code?: string }).code;
      throw code === "EADDRINUSE" ? new SimulatorOptionError(`ML port ${opts.mlPort} on ${hostname} is already in use; pick another with --ml-port (0 picks a free one)`) : e;
    }
  }
  let exporter: HostExporter | undefined;
  if (opts.exporterPort !== undefined) {
    try {
      exporter = startHostExporter({ hostname, port: opts.exporterPort, engine });
    } catch (e) {
      server.stop(true);
      ml?.stop();
      const code = (e as { code?: string }).code;
      throw code === "EADDRINUSE" ? new SimulatorOptionError(`exporter port ${opts.exporterPort} on ${hostname} is already in use; pick another with --exporter-port (0 picks a free one)`) : e;
    }
  }
  const psiDir = opts.psiDir;
  const writePressure = () => {
    if (psiDir === undefined || stopped) return;
    try {
      writePsiFiles(psiDir, engine);
    } catch (e) {
      onError(new Error(`could not write the PSI files in ${psiDir}: ${String(e)}`));
    }
  };
  let psiTimer: ReturnType<typeof setInterval> | undefined;
  if (psiDir !== undefined) {
    try {
      writePsiFiles(psiDir, engine);
    } catch (e) {
      server.stop(true);
      ml?.stop();
      exporter?.stop();
      throw new SimulatorOptionError(`cannot write the PSI files in ${psiDir}: ${(e as Error).message}; give a writable directory`);
    }
    psiTimer = setInterval(writePressure, opts.psiEveryMs ?? 250);
  }
  const urlHost = hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;

  return {
    url: `http://${urlHost}:${boundPort}`,
    port: boundPort,
    hostname,
    profile,
    engine,
    clock,
    faults,
    keys,
    ...(ml ? { ml } : {}),
    ...(exporter ? { exporter } : {}),
    writePressure,
    handler,
    restart: (r) => restart(r),
    async stop() {
      if (stopped) return;
      stopped = true;
      outage.abort();
      if (psiTimer) clearInterval(psiTimer);
      exporter?.stop();
      ml?.stop();
      server?.stop(true);
      server = undefined;
    },
  };
}
