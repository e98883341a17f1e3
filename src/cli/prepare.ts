// What every daemon command does first: load and check the configuration
// (printing every problem at once, exit 2), make the logger, the Immich client
// and the state store, and wire a Daemon and its gates from them.

import type { Policy } from "../core/types.ts";
import { type Config, formatConfigErrors, loadConfig } from "../config/index.ts";
import { type ConfigError, configError } from "../config/errors.ts";
import { misspelledVariables } from "../config/misspelled.ts";
import { ENV_NAMES } from "../config/variables.ts";
import { Daemon } from "../daemon/daemon.ts";
import type { ImmichApi } from "../daemon/immich-api.ts";
import { createLog, type Log } from "../daemon/log.ts";
import { GateWatch } from "../daemon/gates.ts";
import { ControlKeeper } from "../daemon/control-keeper.ts";
import { PassThroughWatch } from "../daemon/pass-through-watch.ts";
import { defaultZone } from "../core/zone.ts";
import { createMlProbe } from "../daemon/ml-probe.ts";
import { join } from "node:path";
import { AutoCapper } from "../daemon/auto-cap-loop.ts";
import { nodeExporterMeter } from "../daemon/node-exporter.ts";
import { localMeter, openPressureDir } from "../daemon/pressure.ts";
import type { PressureResource } from "../core/pressure-syntax.ts";
import { heartbeatWriter } from "../daemon/heartbeat.ts";
import { fileStateStore, memoryStateStore, type StateStore } from "../daemon/state-file.ts";
import { unwritable } from "../daemon/writable.ts";
import type { StatusWiring } from "./status-wiring.ts";
import type { CommandIO } from "./command-io.ts";
import { EXIT } from "./exit-codes.ts";

export interface Prepared {
  config: Config;
  log: Log;
  client: ImmichApi;
  policy: Policy;
  store: StateStore;
}

/**
 * Loads and checks the configuration; on failure prints every problem and
 * returns the exit code. `writes` names the files the command will write:
 * their directories are checked now, not at the first write.
 */
export function prepare(io: CommandIO, opts: { quiet?: boolean; writes?: ("state" | "health")[]; /** The command runs rule 15's controller: its pressure source must be there. */ pressure?: boolean } = {}): Prepared | number {
  const loaded = loadConfig(io.env, io.readFile);
  const misspelled = misspelledVariables(io.env, ENV_NAMES);
  const errors = loaded.ok ? [] : [...loaded.errors];
  if (loaded.ok) {
    const files = { state: ["STATE_FILE", loaded.config.stateFile], health: ["HEALTH_FILE", loaded.config.healthFile] } as const;
    for (const which of opts.writes ?? []) {
      const [variable, path] = files[which];
      const problem = path === undefined ? undefined : unwritable(path, { create: which === "state" });
      if (problem !== undefined) errors.push(configError(variable, path, problem, { accepts: false }));
    }
  }
  if (loaded.ok && opts.pressure) {
    const problem = pressureMissing(loaded.config, io);
    if (problem) errors.push(problem);
  }
  if (!loaded.ok || errors.length > 0) {
    io.stderr.write(formatConfigErrors(errors) + "\n" + misspelled.map((w) => `  (${w})\n`).join(""));
    return EXIT.usage;
  }
  const config = loaded.config;
  const log = createLog({
    level: opts.quiet && config.logLevel === "info" ? "warn" : config.logLevel,
    format: config.logFormat,
    stdout: io.stdout,
    stderr: io.stderr,
    now: () => io.clock.now(),
  });
  for (const w of misspelled) log.warn(w);
  return {
    config,
    log,
    client: io.createClient(config),
    policy: { maxConcurrent: config.maxConcurrentJobs, priority: config.managedQueues, standby: true, maxWaitMs: config.maxWaitMs },
    store: config.stateFile ? fileStateStore(config.stateFile, config.immichUrl) : memoryStateStore(),
  };
}

/** Where the local PSI files are: PRESSURE_DIR, else <procRoot>/pressure. */
export const pressureDir = (config: Config, io: CommandIO): string => config.pressureDir ?? join(io.procRoot ?? "/proc", "pressure");

/**
 * MAX_CONCURRENT_JOBS=auto and TUNE_CONCURRENCY follow the local PSI unless
 * PRESSURE_URL is set: without it they cannot work, so the daemon does not
 * start (exit 2), saying why and what to do.
 */
function pressureMissing(config: Config, io: CommandIO): ConfigError | undefined {
  if (!(config.autoRange || config.tuneConcurrency) || config.pressureUrl !== undefined || !config.maxPressure) return undefined;
  const r = openPressureDir(config.maxPressure, pressureDir(config, io), io.readFile);
  if (!("missing" in r)) return undefined;
  const variable = config.autoRange ? "MAX_CONCURRENT_JOBS" : "TUNE_CONCURRENCY";
  return configError(
    variable,
    io.env[variable]?.trim(),
    `needs the host's pressure stall information, and ${r.missing}: run the daemon on Immich's host with Linux 4.20 or newer (PSI on), or set PRESSURE_URL to a node_exporter's /metrics on that host, or PRESSURE_DIR to where the PSI files are`,
    { accepts: false },
  );
}

/** Rule 15's controller, when MAX_CONCURRENT_JOBS=auto or TUNE_CONCURRENCY asks for it. */
function newAutoCap(p: Prepared, io: CommandIO): AutoCapper | undefined {
  const { config } = p;
  if (!(config.autoRange || config.tuneConcurrency) || !config.maxPressure) return undefined;
  const resources = Object.keys(config.maxPressure) as PressureResource[];
  const meter = config.pressureUrl
    ? nodeExporterMeter(config.pressureUrl, resources, io.fetch ?? fetch, () => io.clock.now())
    : localMeter(pressureDir(config, io), resources, io.readFile, () => io.clock.now());
  return new AutoCapper({
    settings: {
      range: config.autoRange ?? { min: config.maxConcurrentJobs, max: config.maxConcurrentJobs },
      target: config.maxPressure,
      tune: config.tuneConcurrency ?? false,
    },
    auto: config.autoRange !== undefined,
    meter,
    client: p.client,
    log: p.log,
    store: p.store,
    clock: io.clock,
    managed: config.managedQueues,
    dryRun: config.dryRun,
  });
}

/** Whether the storage template is off, read with the key's systemConfig.read (core/pass-through.ts). */
export function newPassThrough(p: Prepared, io: CommandIO): PassThroughWatch {
  return new PassThroughWatch({ client: p.client, clock: io.clock, log: p.log, managed: p.config.managedQueues });
}

/** The owner's instructions, from the state file, for the daemon and the status server (rule 16). */
export function newControl(p: Prepared): ControlKeeper {
  return new ControlKeeper({ store: p.store, log: p.log, managed: p.config.managedQueues, configuredN: p.config.maxConcurrentJobs, zone: () => p.config.timeZone ?? defaultZone() });
}

export function newDaemon(
  p: Prepared,
  io: CommandIO,
  opts: {
    heartbeat?: boolean;
    status?: StatusWiring;
    control?: ControlKeeper;
    /** Rule 15's controller (run only: `once` decides at N's lower bound and never tunes, as it could not put the owner's values back). */
    autoCap?: boolean;
  } = {},
): Daemon {
  const autoCap = opts.autoCap ? newAutoCap(p, io) : undefined;
  let heartbeatFailed = false;
  // One writer per run: it remembers what it wrote, so an idle beat only touches the file.
  const heartbeatFile = opts.heartbeat ? heartbeatWriter(p.config.healthFile, io.pid) : undefined;
  // The heartbeat carries the measured drain rates, for `status`'s ETAs.
  const daemon: Daemon = new Daemon({
    ...(opts.status ? { onCycle: opts.status.onCycle } : {}),
    ...(heartbeatFile
      ? {
          heartbeat: (health, nextPollInMs) => {
            opts.status?.beat(health, nextPollInMs);
            try {
              const a = daemon.autoCap;
              heartbeatFile.beat(io.clock.now(), health, nextPollInMs, daemon.drainRates(), a ? { n: a.n, min: a.range.min, max: a.range.max, ...(a.lastChange ? { lastChange: { at: a.lastChange.at, reason: a.lastChange.reason } } : {}) } : undefined);
            } catch (e) {
              // Once: a missing heartbeat only matters to `healthcheck`, which says so itself.
              if (!heartbeatFailed) p.log.warn(`cannot write the heartbeat file (HEALTH_FILE): ${(e as Error).message}`);
              heartbeatFailed = true;
            }
          },
        }
      : {}),
    client: p.client,
    clock: io.clock,
    log: p.log,
    policy: p.policy,
    pollIntervalMs: p.config.pollIntervalMs,
    minPollIntervalMs: p.config.minPollIntervalMs,
    dryRun: p.config.dryRun,
    onExit: p.config.onExit,
    shutdownTimeoutMs: p.config.exitTimeoutMs,
    store: p.store,
    random: io.random,
    gates: newGates(p, io),
    passThrough: newPassThrough(p, io),
    ...(autoCap ? { autoCap } : {}),
    control: opts.control ?? newControl(p),
  });
  return daemon;
}

/**
 * What the daemon looks at beyond Immich's API: WINDOWS, ML_URL and
 * MAX_PRESSURE (PSI under io.procRoot, default /proc; missing PSI is said
 * once here and the setting ignored).
 */
export function newGates(p: Prepared, io: CommandIO, opts: { quiet?: boolean } = {}): GateWatch {
  const { schedule, mlUrls, pressureUrl } = p.config;
  // Under rule 15 MAX_PRESSURE is the controller's target, not a gate.
  const maxPressure = p.config.autoRange || p.config.tuneConcurrency ? undefined : p.config.maxPressure;
  const remote = maxPressure && pressureUrl
    ? { meter: nodeExporterMeter(pressureUrl, Object.keys(maxPressure) as PressureResource[], io.fetch ?? fetch, () => io.clock.now()), limits: maxPressure }
    : undefined;
  const pressure = maxPressure && !remote ? openPressureDir(maxPressure, pressureDir(p.config, io), io.readFile) : undefined;
  if (pressure && "missing" in pressure && !opts.quiet) {
    p.log.warn(`MAX_PRESSURE is set, but this host has no pressure stall information (${pressure.missing}); ignoring it`);
  }
  return new GateWatch(
    {
      managed: p.config.managedQueues,
      ...(pressure && !("missing" in pressure) ? { pressure } : {}),
      ...(remote ? { remotePressure: remote } : {}),
      ...(schedule ? { schedule } : {}),
      ...(mlUrls ? { ml: { urls: mlUrls, probe: createMlProbe(mlUrls, io.fetch ?? fetch) } } : {}),
    },
    io.clock,
    opts.quiet ? undefined : p.log,
  );
}
