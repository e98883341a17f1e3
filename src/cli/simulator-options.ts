// `immich-job-daemon simulator`'s options: the --help text and the parsing of
// argv into the simulator's options (SimulatorOptions), one table of flags
// read by both. Bad input is a UsageError naming the flag and what to give;
// simulator-command.ts turns it into one line on stderr and exit code 2.
// Split from simulator-command.ts, which runs the server; behaviour unchanged.

import { type ApiKey, adminKey, parseKeySpec } from "../simulator/auth.ts";
import { CONTROL_PREFIX } from "../simulator/control.ts";
import type { FaultPatch } from "../simulator/faults.ts";
import { HOST_PROFILE_NAMES, isHostProfileName } from "../simulator/host-profiles.ts";
import { DEFAULT_PROFILE, PROFILE_NAMES, type ProfileName } from "../simulator/profiles.ts";
import { isScenarioName, SCENARIO_NAMES, SCENARIO_SUMMARIES } from "../simulator/scenarios.ts";
import type { SimulatorOptions } from "../simulator/server.ts";

export const SIMULATOR_HELP = `Usage: immich-job-daemon simulator [options]

Serves a simulated Immich server (its job API, authentication, error bodies,
BullMQ queue behaviour and upload pipeline) on a loopback address, for trying
the daemon, tests and demos without a real Immich.

Options:
  --port N            port to listen on; 0 picks a free one (default 2283)
  --ml-port N         also serve a machine-learning service (GET /ping → pong)
                      on port N (0 picks one): the daemon's ML_URL. Switched
                      off (PUT ${CONTROL_PREFIX}/ml), it refuses connections
                      and the ML queues' jobs fail and are dropped, as in Immich
  --profile NAME      Immich version: ${PROFILE_NAMES.join(", ")} (default ${DEFAULT_PROFILE})
  --api-key [LABEL=]KEY
                      an admin key with scope "all" (default: a random key,
                      printed); LABEL (default "admin") names it in the recording
  --key [LABEL=]KEY[:SCOPES][:admin|:user]
                      another key (repeatable). SCOPES is a comma list of
                      Immich permissions (job.read,job.create,queue.read,
                      queue.update,...; default all); the role defaults to
                      admin. LABEL defaults to KEY and is the actor recorded
                      for the pauses and resumes made with this key.
                      e.g. --key daemon=k1:queue.read,queue.update
                           --key person=k2:all:user
  --scenario NAME     workload: ${SCENARIO_NAMES.map((n) => `${n} (${SCENARIO_SUMMARIES[n]})`).join("; ")}
                      (default idle)
  --speed X           simulated seconds per real second (default 1; 100 = fast)
  --seed N            seed for durations, arrivals and faults (default 1)
  --config-file       Immich runs with IMMICH_CONFIG_FILE: PUT /api/system-config
                      answers 400 (default: updates apply, job concurrency live)
Host model (jobs cost CPU; pressure as /proc/pressure reports it):
  --host NAME         model the host: ${HOST_PROFILE_NAMES.join(" or ")};
                      real-2core is the measured 2-core VM of the timings
                      file, nas-4core a 4-core NAS 2.5x slower per job
  --host-cores N      the host's cores instead of the profile's
  --psi-dir DIR       write PSI files cpu, io, memory into DIR (the daemon's
                      PSI directory), rewritten every 250 ms
  --exporter-port N   serve node_exporter's node_pressure_* counters at
                      /metrics on port N (0 picks one): the daemon's PRESSURE_URL
Faults (also settable at run time, see below):
  --latency MS        add MS real milliseconds to every /api answer
  --error-rate R      share (0..1) of /api requests answered 500
  --garbage-rate R    share answered with truncated JSON
  --html              answer every /api request with an HTML page (as a
                      wrong URL or a proxy would); --html-rate R for a share
  --reset-rate R      share of connections dropped mid-answer
  --partial-rate R    share of queue lists (GET /api/queues, /api/jobs)
                      answered with queues left out; --partial-keep K (0..1,
                      default 0.5) is the share kept (0: an empty list)
  --maintenance       maintenance mode: /api/jobs and /api/queues answer 404
  -h, --help          this text

Control endpoint (same server, no key needed, JSON bodies):
  GET    ${CONTROL_PREFIX}/state        profile, clock, queues, faults, keys, ML service
  GET    ${CONTROL_PREFIX}/recording    active intervals, pause changes (with
                                      who made them), uploads' time to thumbnail
  POST   ${CONTROL_PREFIX}/uploads      {"photos":N,"videos":N,"source":"upload"|"library"}
  POST   ${CONTROL_PREFIX}/enqueue      {"queue":"smartSearch","count":N,"delayMs":MS}
  GET    ${CONTROL_PREFIX}/faults       the faults in force
  PUT    ${CONTROL_PREFIX}/faults       any of {"latencyMs","errorRate","garbageRate",
                                      "htmlRate","resetRate","partialRate",
                                      "partialKeep","hiddenQueues","maintenance"}
                                      (hiddenQueues: names every queue list
                                      leaves out, as a server lacking them)
  DELETE ${CONTROL_PREFIX}/faults       clear all faults
  POST   ${CONTROL_PREFIX}/restart      {"downMs":MS,"mode":"503"|"refuse"}: Immich
                                      restarts (metadataExtraction is resumed,
                                      other pauses kept), down for MS simulated ms
  POST   ${CONTROL_PREFIX}/redis-loss   every pause flag and queued job is lost
  GET    ${CONTROL_PREFIX}/ml           the ML service: url, up, jobs failed and dropped
  PUT    ${CONTROL_PREFIX}/ml           {"up":false} switches it off, {"up":true} on
  GET    ${CONTROL_PREFIX}/host         the modelled host: cores, demand, pressure
  POST   ${CONTROL_PREFIX}/host         {"cores":1,"forSeconds":7200}: an outside load
                                      (optional "io","memory": stall shares 0..1)
  GET    ${CONTROL_PREFIX}/metrics      the node_exporter text, on the same port

Stops cleanly on SIGINT or SIGTERM.`;

type Flag = { name: string; value: string | undefined };

export class UsageError extends Error {}

const rate = (flag: string, v: string): number => {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new UsageError(`${flag} ${JSON.stringify(v)} is not a share between 0 and 1; e.g. ${flag} 0.1`);
  }
  return n;
};

const wholeNumber = (flag: string, v: string, max: number): number => {
  const n = Number(v);
  if (v.trim() === "" || !Number.isInteger(n) || n < 0 || n > max) {
    throw new UsageError(`${flag} ${JSON.stringify(v)} is not a whole number from 0 to ${max}`);
  }
  return n;
};

const BOOLEAN_FLAGS = new Set(["--html", "--maintenance", "--config-file", "--help", "-h"]);
const VALUE_FLAGS = new Set([
  "--port",
  "--ml-port",
  "--profile",
  "--api-key",
  "--key",
  "--scenario",
  "--speed",
  "--seed",
  "--latency",
  "--error-rate",
  "--garbage-rate",
  "--html-rate",
  "--reset-rate",
  "--partial-rate",
  "--partial-keep",
  "--host",
  "--host-cores",
  "--psi-dir",
  "--exporter-port",
]);

function splitFlags(argv: readonly string[]): Flag[] {
  const flags: Flag[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (BOOLEAN_FLAGS.has(name)) {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      flags.push({ name, value: undefined });
    } else if (VALUE_FLAGS.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value; see --help`);
      flags.push({ name, value });
    } else if (arg.startsWith("-")) {
      throw new UsageError(`unknown option ${name}; see --help`);
    } else {
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)}; see --help`);
    }
  }
  return flags;
}

/** The simulator's options from argv, or "help". Throws UsageError on bad input. */
export function parseSimulatorArgs(argv: readonly string[], randomKey: () => string): SimulatorOptions | "help" {
  const flags = splitFlags(argv);
  if (flags.some((f) => f.name === "--help" || f.name === "-h")) return "help";
  const opts: SimulatorOptions = { port: 2283 };
  const faults: FaultPatch = {};
  const keys: ApiKey[] = [];
  let admin: ApiKey | undefined;
  for (const { name, value = "" } of flags) {
    switch (name) {
      case "--port":
        opts.port = wholeNumber(name, value, 65_535);
        break;
      case "--ml-port":
        opts.mlPort = wholeNumber(name, value, 65_535);
        break;
      case "--profile":
        if (!(PROFILE_NAMES as string[]).includes(value)) {
          throw new UsageError(`unknown profile ${JSON.stringify(value)}; use one of ${PROFILE_NAMES.join(", ")}`);
        }
        opts.profile = value as ProfileName;
        break;
      case "--api-key": {
        const k = adminKey(value);
        if (typeof k === "string") throw new UsageError(k);
        admin = k;
        break;
      }
      case "--key": {
        const k = parseKeySpec(value);
        if (typeof k === "string") throw new UsageError(k);
        keys.push(k);
        break;
      }
      case "--scenario":
        if (!isScenarioName(value)) {
          throw new UsageError(`unknown scenario ${JSON.stringify(value)}; use one of ${SCENARIO_NAMES.join(", ")}`);
        }
        opts.scenario = value;
        break;
      case "--speed": {
        const n = Number(value);
        if (value.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 1_000_000) {
          throw new UsageError(`--speed ${JSON.stringify(value)} is not a positive number; e.g. --speed 100`);
        }
        opts.speed = n;
        break;
      }
      case "--seed":
        opts.seed = wholeNumber(name, value, 2 ** 32 - 1);
        break;
      case "--latency":
        faults.latencyMs = wholeNumber(name, value, 600_000);
        break;
      case "--error-rate":
        faults.errorRate = rate(name, value);
        break;
      case "--garbage-rate":
        faults.garbageRate = rate(name, value);
        break;
      case "--html-rate":
        faults.htmlRate = rate(name, value);
        break;
      case "--html":
        faults.htmlRate = 1;
        break;
      case "--reset-rate":
        faults.resetRate = rate(name, value);
        break;
      case "--partial-rate":
        faults.partialRate = rate(name, value);
        break;
      case "--partial-keep":
        faults.partialKeep = rate(name, value);
        break;
      case "--maintenance":
        faults.maintenance = true;
        break;
      case "--config-file":
        opts.configFile = true;
        break;
      case "--host":
        if (!isHostProfileName(value)) {
          throw new UsageError(`unknown host profile ${JSON.stringify(value)}; use one of ${HOST_PROFILE_NAMES.join(", ")}`);
        }
        opts.host = value;
        break;
      case "--host-cores": {
        const n = wholeNumber(name, value, 1024);
        if (n < 1) throw new UsageError(`--host-cores ${JSON.stringify(value)} is not a whole number from 1 to 1024`);
        opts.hostCores = n;
        break;
      }
      case "--psi-dir":
        if (value.trim() === "") throw new UsageError("--psi-dir needs a directory; e.g. --psi-dir /tmp/sim-pressure");
        opts.psiDir = value;
        break;
      case "--exporter-port":
        opts.exporterPort = wholeNumber(name, value, 65_535);
        break;
    }
  }
  if (opts.host === undefined && (opts.psiDir !== undefined || opts.exporterPort !== undefined || opts.hostCores !== undefined)) {
    throw new UsageError(`--psi-dir, --exporter-port and --host-cores need --host (${HOST_PROFILE_NAMES.join(" or ")})`);
  }
  // Without any key the server would be unusable: make an admin key.
  if (!admin && keys.length === 0) admin = { key: randomKey(), label: "admin", admin: true, scopes: ["all"] };
  const all = admin ? [admin, ...keys] : keys;
  const dup = all.find((k, i) => all.findIndex((o) => o.key === k.key) !== i);
  if (dup) throw new UsageError(`the key ${JSON.stringify(dup.key)} is given twice; give each key once`);
  opts.keys = all;
  opts.faults = faults;
  return opts;
}
