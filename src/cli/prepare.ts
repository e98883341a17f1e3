// What every daemon command does first: load and check the configuration
// (printing every problem at once, exit 2), make the logger, the Immich client
// and the state store, and wire a Daemon and its gates from them.

import type { Policy } from "../core/types.ts";
import { type Config, formatConfigErrors, loadConfig } from "../config/index.ts";
import { configError } from "../config/errors.ts";
import { misspelledVariables } from "../config/misspelled.ts";
import { ENV_NAMES } from "../config/variables.ts";
import { Daemon } from "../daemon/daemon.ts";
import type { ImmichApi } from "../daemon/immich-api.ts";
import { createLog, type Log } from "../daemon/log.ts";
import { GateWatch } from "../daemon/gates.ts";
import { ControlKeeper } from "../daemon/control-keeper.ts";
import { defaultZone } from "../core/zone.ts";
import { createMlProbe } from "../daemon/ml-probe.ts";
import { openPressure } from "../daemon/pressure.ts";
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
export function prepare(io: CommandIO, opts: { quiet?: boolean; writes?: ("state" | "health")[] } = {}): Prepared | number {
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

/** The owner's instructions, from the state file, for the daemon and the status server (rule 16). */
export function newControl(p: Prepared): ControlKeeper {
  return new ControlKeeper({ store: p.store, log: p.log, managed: p.config.managedQueues, configuredN: p.config.maxConcurrentJobs, zone: p.config.timeZone ?? defaultZone() });
}

export function newDaemon(p: Prepared, io: CommandIO, opts: { heartbeat?: boolean; status?: StatusWiring; control?: ControlKeeper } = {}): Daemon {
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
              heartbeatFile.beat(io.clock.now(), health, nextPollInMs, daemon.drainRates());
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
  const { schedule, mlUrls, maxPressure } = p.config;
  const pressure = maxPressure ? openPressure(maxPressure, io.procRoot ?? "/proc", io.readFile) : undefined;
  if (pressure && "missing" in pressure && !opts.quiet) {
    p.log.warn(`MAX_PRESSURE is set, but this host has no pressure stall information (${pressure.missing}); ignoring it`);
  }
  return new GateWatch(
    {
      managed: p.config.managedQueues,
      ...(pressure && !("missing" in pressure) ? { pressure } : {}),
      ...(schedule ? { schedule } : {}),
      ...(mlUrls ? { ml: { urls: mlUrls, probe: createMlProbe(mlUrls, io.fetch ?? fetch) } } : {}),
    },
    io.clock,
    opts.quiet ? undefined : p.log,
  );
}
