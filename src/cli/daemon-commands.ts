// The daemon's commands: `run` (the default), `once`, `status` and
// `resume-all`. Each takes its world in `CommandIO` (environment, streams,
// clock, fetch, abort signal) and returns an exit code; only src/main.ts
// touches the real process.

import { blockers } from "../core/blockers.ts";
import { decide, resumeAllActions } from "../core/decide.ts";
import { emptyOwnership, type Policy } from "../core/types.ts";
import { type Config, describeConfig, formatConfigErrors, loadConfig } from "../config/index.ts";
import { configError } from "../config/errors.ts";
import { misspelledVariables } from "../config/misspelled.ts";
import { ENV_NAMES } from "../config/schema.ts";
import { Daemon, FatalError, isClassified, type ImmichApi } from "../daemon/daemon.ts";
import { createLog, type Log } from "../daemon/log.ts";
import { healthFilePath } from "../config/defaults.ts";
import { GateWatch } from "../daemon/gates.ts";
import { createMlProbe } from "../daemon/ml-probe.ts";
import { openPressure } from "../daemon/pressure.ts";
import { checkHeartbeat, heartbeatRates, removeHeartbeat, writeHeartbeat } from "../daemon/heartbeat.ts";
import { etaFromRates } from "../core/eta.ts";
import { fileStateStore, memoryStateStore, saveOwnership, type StateStore } from "../daemon/state-file.ts";
import { unwritable } from "../daemon/writable.ts";
import type { Clock } from "../shared/clock.ts";
import { parseListenAddress } from "../status/address.ts";
import { checkHealthz } from "../status/healthz-check.ts";
import { startStatus, type StatusWiring } from "../status/wire.ts";
import { VERSION } from "../shared/version.ts";
import { EXIT, exitCodeFor } from "./exit-codes.ts";
import { statusJson, statusTable } from "./status-table.ts";

export interface CommandIO {
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  clock: Clock;
  /** Aborted on the first terminating signal (SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2); its reason is the signal's name. */
  signal: AbortSignal;
  /** Aborted on a second one: the exit clean-up stops at once and names what stays paused. */
  force?: AbortSignal;
  readFile: (path: string) => string;
  random: () => number;
  /** Makes the Immich client for a configuration (real fetch in production and tests). */
  createClient: (config: Config) => ImmichApi;
  /** This process's id, for the heartbeat file. */
  pid: number;
  /** For notifications (NOTIFY_URL) and `healthcheck` through STATUS_ADDR. */
  fetch?: typeof fetch;
  /** Where /proc is (the host's pressure stall information); default /proc, a fake tree in tests. */
  procRoot?: string;
}

interface Prepared {
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
function prepare(io: CommandIO, opts: { quiet?: boolean; writes?: ("state" | "health")[] } = {}): Prepared | number {
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

function newDaemon(p: Prepared, io: CommandIO, opts: { heartbeat?: boolean; status?: StatusWiring } = {}): Daemon {
  let heartbeatFailed = false;
  // The heartbeat carries the measured drain rates, for `status`'s ETAs.
  const daemon: Daemon = new Daemon({
    ...(opts.status ? { onCycle: opts.status.onCycle } : {}),
    ...(opts.heartbeat
      ? {
          heartbeat: (health, nextPollInMs) => {
            opts.status?.beat(health, nextPollInMs);
            try {
              writeHeartbeat(p.config.healthFile, io.pid, io.clock.now(), health, nextPollInMs, daemon.drainRates());
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
  });
  return daemon;
}

/**
 * What the daemon looks at beyond Immich's API: WINDOWS, ML_URL and
 * MAX_PRESSURE (PSI under io.procRoot, default /proc; missing PSI is said
 * once here and the setting ignored).
 */
function newGates(p: Prepared, io: CommandIO, opts: { quiet?: boolean } = {}): GateWatch {
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

/**
 * A one-shot command cut short by SIGTERM/SIGINT: a graceful stop (exit 0,
 * as documented), said as such; the request it interrupted is no failure.
 */
function stopped(log: Log): number {
  log.warn("stopped by a signal before finishing");
  return EXIT.ok;
}

/** One line for a failure retrying cannot fix, and its exit code; `signal` aborted means stopped, not failed. */
function fail(log: Log, e: unknown, signal?: AbortSignal): number {
  if (signal?.aborted) return stopped(log);
  if (e instanceof FatalError || isClassified(e)) {
    const err = e instanceof FatalError ? e.error : e;
    log.error(err.message, { kind: err.kind });
    return exitCodeFor(err.kind);
  }
  log.error(`internal error: ${e instanceof Error ? e.message : String(e)}; please report it`);
  return EXIT.internal;
}

/** `run`: the daemon, until SIGTERM/SIGINT. */
export async function runCommand(io: CommandIO): Promise<number> {
  const p = prepare(io, { writes: ["state", "health"] });
  if (typeof p === "number") return p;
  p.log.info(`immich-job-daemon ${VERSION} starting: ${describeConfig(p.config)}`);
  if (p.config.dryRun) p.log.info("dry run: deciding and logging only, sending no command to Immich");
  const status = startStatus(p.config, p.client, io.clock, p.log, io.fetch);
  if ("problem" in status) {
    p.log.error(status.problem);
    return EXIT.usage;
  }
  try {
    return await runDaemon({ ...p, client: status.client }, io, status);
  } finally {
    await status.stop();
  }
}

async function runDaemon(p: Prepared, io: CommandIO, status: StatusWiring): Promise<number> {
  const daemon = newDaemon(p, io, { heartbeat: true, status });
  let code: number = EXIT.ok;
  try {
    await daemon.run(io.signal);
  } catch (e) {
    code = fail(p.log, e);
  }
  // Leave things as found, on a signal and after a fatal error alike; but
  // with a key Immich refuses, every resume would fail: say so once instead.
  // After a fatal error with nothing paused (a wrong URL at start) there is
  // nothing to say beyond the error itself.
  const left = daemon.owned.pausedByUs.filter((q) => !daemon.owned.held.includes(q));
  if (code === EXIT.unauthorized || code === EXIT.forbidden || (code !== EXIT.ok && left.length === 0)) {
    if (left.length > 0) {
      p.log.error(`left paused, as the key cannot resume them: ${left.join(", ")}; fix the key, then run \`immich-job-daemon resume-all\``);
    }
    removeHeartbeat(p.config.healthFile);
    return code;
  }
  try {
    if (io.signal.aborted && typeof io.signal.reason === "string") p.log.info(`${io.signal.reason} received: stopping`);
    const results = await daemon.shutdown(io.force);
    if (code === EXIT.ok && results.some((r) => !r.ok)) code = EXIT.leftPaused;
  } catch (e) {
    if (code === EXIT.ok) code = fail(p.log, e);
  }
  // A stopped daemon is not healthy: `healthcheck` must not see a fresh heartbeat.
  removeHeartbeat(p.config.healthFile);
  return code;
}

/** `once`: one cycle, then exit; non-zero if Immich could not be observed. */
export async function onceCommand(io: CommandIO): Promise<number> {
  const p = prepare(io, { writes: ["state"] });
  if (typeof p === "number") return p;
  const daemon = newDaemon(p, io);
  try {
    const info = await p.client.connect(io.signal, { checkWrite: !p.config.dryRun });
    // `run` says these when it connects (Daemon.start); one cycle must not hide them.
    for (const w of info.warnings) p.log.warn(w);
    const r = await daemon.cycle(io.signal);
    if (!r.ok) return io.signal.aborted ? stopped(p.log) : exitCodeFor(r.error.kind);
    if (r.decision.actions.length === 0) p.log.info("nothing to do");
    return EXIT.ok;
  } catch (e) {
    return fail(p.log, e, io.signal);
  }
}

/** `status [--json]`: a table of every queue and what the daemon would do now. Sends no command. */
export async function statusCommand(io: CommandIO, json: boolean): Promise<number> {
  const p = prepare(io, { quiet: true });
  if (typeof p === "number") return p;
  try {
    const info = await p.client.connect(io.signal, { checkWrite: false });
    const observation = await p.client.observe(io.signal);
    const saved = p.store.load();
    const gates = await newGates(p, io, { quiet: true }).read(io.signal);
    const blocked = blockers(gates, p.policy.priority);
    const decision = decide({
      observation,
      policy: p.policy,
      ownership: saved.ownership ?? emptyOwnership(),
      adoptPaused: !saved.ownership,
      blockers: blocked,
    });
    const measured = heartbeatRates(p.config.healthFile, io.clock.now());
    const eta = measured ? etaFromRates(measured.rates, observation, p.policy, blocked) : undefined;
    const input = {
      url: p.config.immichUrl,
      version: info.version,
      api: info.api,
      maxConcurrent: p.config.maxConcurrentJobs,
      observation,
      decision,
      gates,
      ...(eta && measured ? { eta: { ...eta, fromPid: measured.pid } } : {}),
    };
    io.stdout.write((json ? JSON.stringify(statusJson(input), null, 2) : statusTable(input)) + "\n");
    return EXIT.ok;
  } catch (e) {
    return fail(p.log, e, io.signal);
  }
}

/** `resume-all`: resume every paused managed queue (held ones too), for recovery by hand. */
export async function resumeAllCommand(io: CommandIO): Promise<number> {
  // A recovery tool runs even where the state file cannot be written (it warns).
  const p = prepare(io);
  if (typeof p === "number") return p;
  try {
    await p.client.connect(io.signal);
    const observation = await p.client.observe(io.signal);
    const actions = resumeAllActions(observation, p.policy);
    let failed = 0;
    for (const [i, a] of actions.entries()) {
      if (io.signal.aborted) {
        p.log.error(`stopped by a signal; still paused: ${actions.slice(i).map((x) => x.queue).join(", ")}`);
        return EXIT.leftPaused;
      }
      try {
        await p.client.setPaused(a.queue, false, io.signal);
        p.log.info(`resumed ${a.queue}`, { action: "resume", queue: a.queue, reason: a.reason });
      } catch (e) {
        failed++;
        p.log.error(`could not resume ${a.queue}: ${isClassified(e) ? e.message : String(e)}`, { queue: a.queue });
      }
    }
    if (actions.length === 0) p.log.info("no managed queue is paused; nothing to resume");
    // Nothing is the daemon's any more: a later start must not resume or hold from stale memory.
    if (failed === 0) {
      const problem = saveOwnership(p.store, emptyOwnership());
      if (problem) p.log.warn(problem);
    }
    return failed ? EXIT.leftPaused : EXIT.ok;
  } catch (e) {
    // Its whole job is to resume: stopped before that is not a success.
    if (io.signal.aborted) {
      p.log.error("stopped by a signal before anything was resumed; whatever was paused still is: run `immich-job-daemon resume-all` again");
      return EXIT.leftPaused;
    }
    return fail(p.log, e, io.signal);
  }
}

/**
 * `healthcheck`: exit 0 if a running daemon's loop is alive (its /healthz
 * when STATUS_ADDR is set, else its heartbeat file is fresh), 1 if not.
 * Needs no API key and sends nothing to Immich.
 */
export async function healthcheckCommand(io: Pick<CommandIO, "env" | "stdout" | "stderr" | "clock"> & { fetch: typeof fetch }): Promise<number> {
  const r = io.env.STATUS_ADDR?.trim() ? await healthzCheck(io.env.STATUS_ADDR, io.fetch) : checkHeartbeat(healthFilePath(io.env), io.clock.now());
  (r.ok ? io.stdout : io.stderr).write(r.line + "\n");
  return r.ok ? EXIT.ok : EXIT.internal;
}

/** STATUS_ADDR as `run` reads it; a bad one is unhealthy (exit 1: Docker reserves 2), said in one line. */
async function healthzCheck(raw: string, fetchFn: typeof fetch): Promise<{ ok: boolean; line: string }> {
  const addr = parseListenAddress(raw);
  if ("problem" in addr) return { ok: false, line: `unhealthy: STATUS_ADDR=${JSON.stringify(raw.trim())} ${addr.problem}` };
  return checkHealthz(addr, fetchFn);
}
