// Turns the environment into a Config, or into the complete list of what is
// wrong with it. Effects come in as arguments (the environment, a file
// reader), so this runs the same in tests as in src/main.ts. CONFIG_FILE's
// variables (config-file.ts) fill in what the environment leaves unset.

import { PROTECTED_QUEUES } from "../core/queues.ts";
import { isEnv } from "../generated/checks.ts";
import type { Config, LogFormat, LogLevel, OnExit } from "./config.ts";
import { AUTO_TARGET, CONFIG_DEFAULTS as D, STATE_FILE_NAME, healthFilePath } from "./defaults.ts";
import { type AutoRange, isAuto, parseAuto } from "../core/auto-syntax.ts";
import { coerce } from "./coerce.ts";
import { notifySettings } from "./notify-config.ts";
import { controlToken, controlZone } from "./control-config.ts";
import { loadSchedule } from "./windows-config.ts";
import { loadMlUrls } from "./ml-config.ts";
import { parsePressure } from "../core/pressure-syntax.ts";
import { type ConfigError, configError } from "./errors.ts";
import { type BoundedReadFile, fromFileError, readProblem, withConfigFile } from "./config-file.ts";
import type { Env } from "./schema.ts";
import { API_KEY_PATTERN, ENV_NAMES, type EnvName, QUEUE_NAME_PATTERN, variableDoc } from "./variables.ts";

const QUEUE_NAME = new RegExp(QUEUE_NAME_PATTERN);
const API_KEY = new RegExp(API_KEY_PATTERN);

export type LoadResult = { ok: true; config: Config } | { ok: false; errors: ConfigError[] };

/** Reads a file as text; throws (like fs.readFileSync) when it cannot (main.ts: bounded, shared/bounded-read.ts). */
export type ReadFile = BoundedReadFile;

/**
 * Every problem is reported at once, in the order the variables are
 * documented. A variable set to the empty string counts as unset (compose
 * files often pass `VAR=` through). Variables the daemon does not know are
 * ignored, whatever their prefix.
 */
export function loadConfig(environment: Record<string, string | undefined>, readFile: ReadFile): LoadResult {
  const file = withConfigFile(environment, readFile);
  const env = file.env;
  const raw: Partial<Record<EnvName, string>> = {};
  for (const name of ENV_NAMES) {
    const v = env[name]?.trim();
    if (v) raw[name] = v;
  }

  // MAX_CONCURRENT_JOBS=auto[:MIN-MAX] (rule 15); a number goes on to the schema.
  let autoRange: AutoRange | undefined;
  const { MAX_CONCURRENT_JOBS: jobs, ...notJobs } = raw;
  const autoAsked = jobs !== undefined && isAuto(jobs);
  const { values, errors } = coerce(autoAsked ? notJobs : raw);
  if (autoAsked) {
    const a = parseAuto(jobs);
    if (a.ok) autoRange = a.range;
    else errors.push(configError("MAX_CONCURRENT_JOBS", jobs, a.problem));
  }
  const failed = new Set(errors.map((e) => e.variable));
  const fail = (e: ConfigError) => {
    failed.add(e.variable);
    errors.push(e);
  };

  // One error per variable. For a scalar the first problem the schema finds
  // is the one to fix; a list gathers every bad item and the checks of
  // checkQueues into its one line.
  const listProblems: Partial<Record<EnvName, string[]>> = {};
  for (const { name, problem } of schemaProblems(values)) {
    if (variableDoc(name).list) (listProblems[name] ??= []).push(problem);
    else if (!failed.has(name)) fail(configError(name, raw[name], problem));
  }
  const v = values as Env;

  const key = apiKey(raw, readFile, fail);
  const notify = notifySettings(values as Env, raw, readFile, fail);
  const token = controlToken(values as Env, raw, readFile, fail);
  checkQueues(v, listProblems);
  for (const name of ["MANAGED_QUEUES", "UNSAFE_QUEUES"] as const) {
    const problems = listProblems[name];
    if (problems?.length) fail(configError(name, raw[name], problems.join("; ")));
  }

  const schedule = loadSchedule(raw, v.MANAGED_QUEUES ?? D.managedQueues, fail);
  const mlUrls = loadMlUrls(raw, fail);
  const pressure = raw.MAX_PRESSURE === undefined ? undefined : parsePressure(raw.MAX_PRESSURE);
  if (pressure && !pressure.ok) fail(configError("MAX_PRESSURE", raw.MAX_PRESSURE, pressure.problems.join("; ")));

  // The owner's job concurrency is kept in the state file before the first change, so that
  // `resume-all` can put it back after a crash: no tuning without one (a dry run writes nothing).
  if (v.TUNE_CONCURRENCY === true && v.DRY_RUN !== true && v.STATE_FILE === undefined && defaultStateFile(v.STATE_DIRECTORY) === undefined) {
    fail(configError("TUNE_CONCURRENCY", raw.TUNE_CONCURRENCY, "needs STATE_FILE (or STATE_DIRECTORY): the owner's job concurrency is kept there before the first change, so that resume-all can put it back after a crash", { accepts: false }));
  }

  if (errors.length > 0 || file.errors.length > 0 || key === undefined) {
    const order = (e: ConfigError) => ENV_NAMES.indexOf(e.variable as EnvName);
    // A value the file gave: its error names the key and the file.
    const named = errors.map((e) => {
      const k = file.fromFile[e.variable as EnvName];
      return k === undefined || file.path === undefined ? e : fromFileError(e, k, file.path);
    });
    return { ok: false, errors: [...file.errors, ...named].sort((a, b) => order(a) - order(b)) };
  }

  const config: Config = {
    immichUrl: v.IMMICH_URL ?? D.immichUrl,
    apiKey: key.key,
    maxConcurrentJobs: autoRange?.min ?? v.MAX_CONCURRENT_JOBS ?? D.maxConcurrentJobs,
    pollIntervalMs: v.POLL_INTERVAL === undefined ? D.pollIntervalMs : Math.round(v.POLL_INTERVAL * 1000),
    minPollIntervalMs: 0,
    maxWaitMs: v.MAX_WAIT === undefined ? D.maxWaitMs : v.MAX_WAIT === "off" ? null : Math.round(v.MAX_WAIT * 1000),
    managedQueues: [...(v.MANAGED_QUEUES ?? D.managedQueues)],
    unsafeQueues: [...(v.UNSAFE_QUEUES ?? D.unsafeQueues)],
    onExit: (v.ON_EXIT ?? D.onExit) as OnExit,
    dryRun: v.DRY_RUN ?? D.dryRun,
    logLevel: (v.LOG_LEVEL ?? D.logLevel) as LogLevel,
    logFormat: (v.LOG_FORMAT ?? D.logFormat) as LogFormat,
    requestTimeoutMs:
      v.REQUEST_TIMEOUT === undefined ? D.requestTimeoutMs : Math.round(v.REQUEST_TIMEOUT * 1000),
    exitTimeoutMs: v.EXIT_TIMEOUT === undefined ? D.exitTimeoutMs : Math.round(v.EXIT_TIMEOUT * 1000),
    healthFile: healthFilePath(env),
    notifyTargets: notify.notifyTargets,
    notifyOutageAfterMs: notify.notifyOutageAfterMs ?? D.notifyOutageAfterMs,
  };
  if (raw.TZ !== undefined) config.timeZone = schedule?.zone ?? controlZone(raw);
  if (token !== undefined) config.controlToken = token;
  if (notify.notifyToken !== undefined) config.notifyToken = notify.notifyToken;
  const minPoll = v.MIN_POLL_INTERVAL === undefined ? D.minPollIntervalMs : Math.round(v.MIN_POLL_INTERVAL * 1000);
  config.minPollIntervalMs = Math.min(minPoll, config.pollIntervalMs);
  if (key.file !== undefined) config.apiKeyFile = key.file;
  const stateFile = v.STATE_FILE ?? defaultStateFile(v.STATE_DIRECTORY);
  if (stateFile !== undefined) config.stateFile = stateFile;
  if (schedule !== undefined) config.schedule = schedule;
  if (mlUrls !== undefined) config.mlUrls = mlUrls;
  if (pressure?.ok) config.maxPressure = pressure.limits;
  if (autoRange) config.autoRange = autoRange;
  if (v.TUNE_CONCURRENCY) config.tuneConcurrency = true;
  // Rule 15 needs a target: MAX_PRESSURE, or the documented default (defaults.ts says why).
  if ((autoRange || config.tuneConcurrency) && !config.maxPressure) config.maxPressure = { ...AUTO_TARGET };
  if (v.PRESSURE_URL !== undefined) config.pressureUrl = v.PRESSURE_URL;
  if (v.PRESSURE_DIR !== undefined) config.pressureDir = v.PRESSURE_DIR;
  if (v.STATUS_ADDR !== undefined) config.statusAddr = v.STATUS_ADDR;
  return { ok: true, config };
}

/** systemd's StateDirectory= may list several directories separated by ':'; the first is ours. */
function defaultStateFile(stateDirectory: string | undefined): string | undefined {
  const dir = stateDirectory?.split(":")[0]?.replace(/\/+$/, "");
  if (dir === undefined || dir === "") return undefined;
  return `${dir}/${STATE_FILE_NAME}`;
}

/** The key from API_KEY or API_KEY_FILE (exactly one of them). */
function apiKey(
  raw: Partial<Record<EnvName, string>>,
  readFile: ReadFile,
  fail: (e: ConfigError) => void,
): { key: string; file?: string } | undefined {
  const direct = raw.API_KEY;
  const file = raw.API_KEY_FILE;
  if (direct !== undefined && file !== undefined) {
    fail(configError("API_KEY_FILE", file, "API_KEY is set too; set only one of them", { accepts: false }));
    return undefined;
  }
  if (direct !== undefined) {
    // A bad API_KEY was already reported by the schema.
    return API_KEY.test(direct) ? { key: direct } : undefined;
  }
  if (file === undefined) {
    fail(configError("API_KEY", undefined, "the daemon needs an API key; set API_KEY or API_KEY_FILE"));
    return undefined;
  }
  let text: string;
  try {
    text = readFile(file);
  } catch (e) {
    fail(configError("API_KEY_FILE", file, `cannot read the file (${readProblem(e)})`));
    return undefined;
  }
  // Secrets files usually end with a newline; editors add more.
  const key = text.trim();
  if (key === "") {
    fail(configError("API_KEY_FILE", file, "the file is empty"));
    return undefined;
  }
  if (!API_KEY.test(key)) {
    // Never echo the file: it may hold something else secret.
    fail(configError("API_KEY_FILE", file, "the file holds more than one key (spaces, several lines or non-ASCII characters)"));
    return undefined;
  }
  return { key, file };
}


/**
 * MANAGED_QUEUES: each name once; a protected queue only with the user's
 * explicit insistence in UNSAFE_QUEUES (DESIGN.md §2 rule 5). UNSAFE_QUEUES
 * only names protected queues: anything else there is a misunderstanding.
 * Items the schema already rejected are skipped.
 */
function checkQueues(v: Env, problems: Partial<Record<EnvName, string[]>>): void {
  const valid = (names: readonly unknown[] | undefined) =>
    (names ?? []).filter((n): n is string => typeof n === "string" && QUEUE_NAME.test(n));
  const managed = v.MANAGED_QUEUES === undefined ? [...D.managedQueues] : valid(v.MANAGED_QUEUES);
  const unsafe = valid(v.UNSAFE_QUEUES);
  const add = (name: EnvName, problem: string) => (problems[name] ??= []).push(problem);

  const dups = duplicates(managed);
  if (dups.length > 0) add("MANAGED_QUEUES", `lists ${dups.join(", ")} more than once`);
  for (const q of new Set(managed)) {
    // Own properties only: "constructor" or "toString" must not find Object's.
    const why = Object.hasOwn(PROTECTED_QUEUES, q) ? PROTECTED_QUEUES[q] : undefined;
    if (why !== undefined && !unsafe.includes(q)) {
      add("MANAGED_QUEUES", `lists ${q}, which must not be paused (${why}); to manage it anyway, also list it in UNSAFE_QUEUES`);
    }
  }

  const notProtected = unsafe.filter((q) => !Object.hasOwn(PROTECTED_QUEUES, q));
  if (notProtected.length === 1) add("UNSAFE_QUEUES", `${notProtected[0]} is not a protected queue, so it needs no insisting`);
  if (notProtected.length > 1) add("UNSAFE_QUEUES", `${notProtected.join(", ")} are not protected queues, so they need no insisting`);
  const unsafeDups = duplicates(unsafe);
  if (unsafeDups.length > 0) add("UNSAFE_QUEUES", `lists ${unsafeDups.join(", ")} more than once`);
}

function duplicates(names: readonly string[]): string[] {
  return [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
}

/**
 * What the schema finds wrong with the coerced values, in the order TypeBox
 * reports it. The happy path runs only the check compiled ahead of time
 * (isEnv); explain.ts, and TypeBox with it, loads only when that fails (issue
 * 6, idle memory). require() keeps loadConfig synchronous and, in the
 * compiled binary (bun build --splitting), loads the module's chunk at the
 * call, not at start.
 */
function schemaProblems(values: Record<string, unknown>): { name: EnvName; problem: string }[] {
  if (isEnv(values)) return [];
  const { envProblems } = require("./explain.ts") as typeof import("./explain.ts");
  return envProblems(values);
}
