// The daemon's configuration as the code uses it (typed, in milliseconds)
// and the table of variables that the README and `--help` print. The
// variables and their documentation live in variables.ts, the defaults in
// defaults.ts.

import type { AutoRange } from "../core/auto-syntax.ts";
import type { PressureLimits } from "../core/pressure-syntax.ts";
import type { Schedule } from "../core/windows.ts";
import type { NotifyTarget } from "../shared/notify-targets.ts";
import { ENV_NAMES, variableDoc } from "./variables.ts";

export { CONFIG_DEFAULTS } from "./defaults.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFormat = "text" | "json";
export type OnExit = "resume" | "keep";

export interface Config {
  /** The server's origin without a trailing slash, e.g. "http://127.0.0.1:2283"; the API is under `${immichUrl}/api`. */
  immichUrl: string;
  apiKey: string;
  /** Set when the key was read from API_KEY_FILE (describeConfig names the file instead of showing the key). */
  apiKeyFile?: string;
  /** N: at most this many managed queues occupy a slot. */
  maxConcurrentJobs: number;
  pollIntervalMs: number;
  /** Rule 12's floor for looking again sooner; never above pollIntervalMs. */
  minPollIntervalMs: number;
  /** Rule 7's bound; null = off. */
  maxWaitMs: number | null;
  /** Managed queues, highest priority first. */
  managedQueues: string[];
  /** Protected queues the user insists on managing. */
  unsafeQueues: string[];
  onExit: OnExit;
  dryRun: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
  requestTimeoutMs: number;
  /** Real-time budget of the exit clean-up (EXIT_TIMEOUT). */
  exitTimeoutMs: number;
  /** Where ownership is kept across restarts; undefined = no state file. */
  stateFile?: string;
  /** Where `run` writes its heartbeat for `healthcheck`. */
  healthFile: string;
  /** Machine-learning service URLs to check (ML_URL); undefined = no gate. */
  mlUrls?: string[];
  /** Host pressure limits (MAX_PRESSURE), percent of PSI some avg10; undefined = none. */
  maxPressure?: PressureLimits;
  /** MAX_CONCURRENT_JOBS=auto: the range N moves in (rule 15); undefined = a fixed N. */
  autoRange?: AutoRange;
  /** TUNE_CONCURRENCY: also move the running queues' job concurrency (rule 15). */
  tuneConcurrency?: boolean;
  /** PRESSURE_URL: a node_exporter's metrics, the pressure source instead of the local PSI. */
  pressureUrl?: string;
  /** PRESSURE_DIR: where the local PSI files are; undefined = /proc/pressure. */
  pressureDir?: string;
  /** Time windows (WINDOWS, TZ); undefined = every queue may always run. */
  schedule?: Schedule;
  /** Where the status server listens (STATUS_ADDR); undefined = no server. */
  statusAddr?: { hostname: string; port: number };
  /** CONTROL_TOKEN or the content of CONTROL_TOKEN_FILE: set = the owner's controls are on (rule 16). */
  controlToken?: string;
  /** TZ when set: the clock of the controls' "until 07:00"; undefined = the system's zone. */
  timeZone?: string;
  /** Where notifications go (NOTIFY_URL); empty = none. */
  notifyTargets: NotifyTarget[];
  /** NOTIFY_TOKEN or the content of NOTIFY_TOKEN_FILE. */
  notifyToken?: string;
  /** How long Immich must be unreachable before a notification says so. */
  notifyOutageAfterMs: number;
}

/** One row of the variables table. */
export interface VariableRow {
  name: string;
  default: string;
  accepted: string;
  meaning: string;
}

/** Every variable the daemon reads, in the order they are documented. */
export const CONFIG_VARIABLES: readonly VariableRow[] = ENV_NAMES.map((name) => {
  const d = variableDoc(name);
  return { name, default: d.defaultText, accepted: d.accepted, meaning: d.meaning };
});
