// Every variable the daemon reads, in the order they are documented, with
// what it means, what it accepts and its default in words: the table in docs/configuration.md,
// `--help` and the error messages are all printed from here, so they cannot
// drift apart. Plain data, so every command reads it without loading
// TypeBox (issue 6, idle memory); the constraints themselves are the schema in
// schema.ts, and a test keeps both listing the same variables in the same order.

import { PROTECTED_QUEUES } from "../core/queues.ts";
import { WINDOWS_EXAMPLE } from "../core/window-syntax.ts";
import { PRESSURE_EXAMPLE } from "../core/pressure-syntax.ts";
import { AUTO_TARGET_TEXT } from "./defaults.ts";
import { CONFIG_DEFAULTS as D, HEALTH_FILE_DEFAULT, STATE_FILE_NAME } from "./defaults.ts";
import type { Env } from "./schema.ts";

/** A variable's name: a property of the environment schema. */
export type EnvName = keyof Env;

/** Documentation every variable carries, read by the table and the error messages. */
export interface VariableDoc {
  /** What is used when the variable is unset, in words. */
  defaultText: string;
  /** What it accepts, in words (shown after "accepts" in errors). */
  accepted: string;
  /** What it does. */
  meaning: string;
  /** Never show the value (errors show a redacted form). */
  secret?: boolean;
  /** The value is a comma-separated list. */
  list?: boolean;
}

/** The shortest CONTROL_TOKEN: anything shorter could be guessed over a network, whatever the rate limit. */
export const CONTROL_TOKEN_MIN = 16;
/** CONTROL_TOKEN: printable ASCII without spaces, 16 to 200 characters (the length in the pattern itself, so generated test values need no filtering). */
export const CONTROL_TOKEN_PATTERN = "^[\\x21-\\x7e]{16,200}$";

/** A queue name as Immich spells them: camelCase letters and digits. */
export const QUEUE_NAME_PATTERN = "^[A-Za-z][A-Za-z0-9]*$";
/** Printable ASCII without spaces: what an HTTP header value can carry and Immich keys are made of. */
export const API_KEY_PATTERN = "^[\\x21-\\x7e]+$";

const protectedList = Object.keys(PROTECTED_QUEUES).join(", ");

const VARIABLES: Record<EnvName, VariableDoc> = {
  IMMICH_URL: {
    defaultText: D.immichUrl,
    accepted: "the server's http(s) origin, e.g. http://192.168.1.10:2283 (a trailing / or /api is fine; no other path)",
    meaning: "Where Immich answers; the API is under <origin>/api.",
  },
  API_KEY: {
    defaultText: "(required unless API_KEY_FILE is set)",
    accepted:
      "an admin's API key (Account Settings → API Keys) with scopes queue.read, queue.update (Immich 2.4+) or job.read, job.create",
    meaning: "The key sent as x-api-key. Set this or API_KEY_FILE, not both.",
    secret: true,
  },
  API_KEY_FILE: {
    defaultText: "(none)",
    accepted: "the path of a readable file holding only the key (surrounding whitespace is ignored)",
    meaning: "Read the key from a file (Docker/systemd secrets) instead of API_KEY.",
  },
  MAX_CONCURRENT_JOBS: {
    defaultText: String(D.maxConcurrentJobs),
    accepted: "a whole number from 1 to 1000; or auto (the range 1-4), or auto:MIN-MAX (e.g. auto:1-3)",
    meaning:
      "At most this many managed queues run at once. auto: the number follows the host's pressure within the range (MAX_PRESSURE is the target): up by one after a minute under it while work waits, down after 10 s above it, straight to the lower bound far above it; a lowering pauses the lowest-priority queue gracefully (its running jobs finish). Needs the host's pressure stall information (PSI) or PRESSURE_URL.",
  },
  POLL_INTERVAL: {
    defaultText: String(D.pollIntervalMs / 1000),
    accepted: "seconds, 0.1 to 3600 (decimals allowed)",
    meaning: "Seconds between two looks at the queues.",
  },
  MIN_POLL_INTERVAL: {
    defaultText: String(D.minPollIntervalMs / 1000),
    accepted: "seconds, 0.1 to 3600 (decimals allowed); above POLL_INTERVAL it is POLL_INTERVAL",
    meaning:
      "The soonest the daemon looks again when a change is near (a queue about to run dry, a resume just sent, work arriving at a free slot), so hand-overs happen at job speed. Set it to POLL_INTERVAL to poll at a fixed pace.",
  },
  MAX_WAIT: {
    defaultText: "10m",
    accepted: "a duration: seconds (300) or with a unit (90s, 10m, 1h), 1 s to 30 days; or off",
    meaning:
      "When a higher-priority queue (new uploads' thumbnails) has waited longer than this while lower-priority queues (machine learning) hold every slot, the lowest of them is paused gracefully (its running jobs finish) and the waiting queue gets the slot. Never facialRecognition, never a queue a person resumed. off: never (the shell script's strict order).",
  },
  MANAGED_QUEUES: {
    defaultText: D.managedQueues.join(","),
    accepted: `comma-separated queue names, highest priority first, each once; ${protectedList} only if also in UNSAFE_QUEUES`,
    meaning:
      "The queues the daemon pauses and resumes, in priority order. Every other queue is left alone. A name the server lacks is a warning.",
    list: true,
  },
  UNSAFE_QUEUES: {
    defaultText: "(none)",
    accepted: `comma-separated names among ${protectedList}`,
    meaning: "Protected queues you insist on letting the daemon pause (they must also be in MANAGED_QUEUES).",
    list: true,
  },
  ON_EXIT: {
    defaultText: D.onExit,
    accepted: "resume or keep",
    meaning: "On a graceful exit, resume every queue the daemon paused (resume) or leave them paused (keep).",
  },
  DRY_RUN: {
    defaultText: String(D.dryRun),
    accepted: "true/false, 1/0, yes/no (any case)",
    meaning: "Decide and log what would be done, send no pause or resume.",
  },
  LOG_LEVEL: { defaultText: D.logLevel, accepted: "debug, info, warn or error", meaning: "Least important log lines shown." },
  LOG_FORMAT: { defaultText: D.logFormat, accepted: "text or json", meaning: "Log lines for people (text) or for log collectors (json, one object per line)." },
  REQUEST_TIMEOUT: {
    defaultText: String(D.requestTimeoutMs / 1000),
    accepted: "seconds, 0.1 to 300 (decimals allowed)",
    meaning: "Longest wait for one answer from Immich.",
  },
  EXIT_TIMEOUT: {
    defaultText: String(D.exitTimeoutMs / 1000),
    accepted: "seconds, 1 to 300 (decimals allowed)",
    meaning:
      "On a graceful stop, how long the daemon tries to resume the queues it paused before it exits anyway (naming them). Keep it below the supervisor's stop timeout: the default fits Docker's 10 s, compose's stop_grace_period and systemd's TimeoutStopSec=15 shipped in deploy/.",
  },
  WINDOWS: {
    defaultText: "(none: every queue may run at any time)",
    accepted: `entries separated by ';', each queues=[days ]HH:MM-HH:MM, where queues are managed queue names or the group ml (smartSearch, duplicateDetection, faceDetection, facialRecognition, ocr) and days are Mon..Sun or ranges like Mon-Fri (none: every day); e.g. ${WINDOWS_EXAMPLE}`,
    meaning:
      "When queues may run (quiet hours), on TZ's wall clock. A window opens on its days and, if its end is not after its start, closes the next morning. Outside it a queue is not started; a running one is paused when it closes (its active jobs finish).",
  },
  TZ: {
    defaultText: "the system's time zone (UTC in a container)",
    accepted: "an IANA time-zone name, e.g. Europe/Berlin (the binary carries the zone data)",
    meaning: "The time zone of WINDOWS and of the controls' `until 07:00`. Only checked when WINDOWS is set (otherwise an unknown zone means the system's).",
  },
  ML_URL: {
    defaultText: "(none: no machine-learning gate)",
    accepted: "the http(s) URL of Immich's machine-learning service, or several separated by commas (as Immich takes them), e.g. http://immich-machine-learning:3003",
    meaning:
      "Check each cycle that the service answers /ping (2 s timeout; several URLs: any one answering is enough). While it does not, the ml queues are not started and running ones are paused gracefully, so their jobs wait instead of failing (Immich drops failed ML jobs).",
  },
  MAX_PRESSURE: {
    defaultText: `(none: no pressure limit; with MAX_CONCURRENT_JOBS=auto or TUNE_CONCURRENCY: ${AUTO_TARGET_TEXT})`,
    accepted: `resource=percent pairs separated by commas, resources cpu, memory, io, percent above 0 and at most 100; e.g. ${PRESSURE_EXAMPLE}`,
    meaning:
      "While the host's pressure stall information (/proc/pressure/<resource>, the some avg10 figure; or PRESSURE_URL's) is above a level, nothing new is started; running queues keep their slots. With MAX_CONCURRENT_JOBS=auto or TUNE_CONCURRENCY it is instead the target the number of queues and their concurrency follow. Only meaningful on Immich's own host (a container sees the host's figures). Without PSI it is said once at start and ignored.",
  },
  TUNE_CONCURRENCY: {
    defaultText: "false",
    accepted: "true/false, 1/0, yes/no (any case)",
    meaning:
      "Also change the running queues' job concurrency (job.<queue>.concurrency in Immich's settings) when the pressure stays above MAX_PRESSURE at the lowest number of queues: one step at a time down to 1, back toward your own values when it allows. Only those fields are written; your values are kept in STATE_FILE and put back on exit, by every stop signal and by resume-all; a value you change meanwhile becomes yours and is left alone. Needs the key's systemConfig.read and systemConfig.update, and a state file (STATE_FILE or STATE_DIRECTORY).",
  },
  PRESSURE_URL: {
    defaultText: "(none: the local host's PSI)",
    accepted: "the http(s) URL of a Prometheus node_exporter's metrics on Immich's host, e.g. http://nas:9100/metrics",
    meaning:
      "Where to read the pressure when the daemon runs on another machine than Immich: node_exporter's node_pressure_{cpu,io,memory}_waiting_seconds_total, their increase between two looks as a share of the time. When set it is the source for MAX_PRESSURE too. Read with a 1 MB and 5 s bound; an answer that is missing or garbage is said once, and meanwhile the lowest number of queues is used.",
  },
  PRESSURE_DIR: {
    defaultText: "/proc/pressure",
    accepted: "a directory holding PSI files named cpu, io and memory",
    meaning: "Where the local host's pressure stall information is read (a simulator's, or a host's /proc mounted elsewhere).",
  },
  STATE_FILE: {
    defaultText: `$STATE_DIRECTORY/${STATE_FILE_NAME} when STATE_DIRECTORY is set, else none`,
    accepted: "a file path in a writable directory",
    meaning:
      "Where the daemon remembers which queues it paused, so it can tell them from a person's pauses across restarts.",
  },
  HEALTH_FILE: {
    defaultText: `${HEALTH_FILE_DEFAULT} (TMPDIR, if set, instead of /tmp)`,
    accepted: "a file path in a writable directory",
    meaning:
      "Where `run` keeps a heartbeat: touched after every poll (its modification time is the beat), rewritten only when what it says changes (state, failures, drain rates, the announced sleep); `healthcheck` reads it (the container's HEALTHCHECK).",
  },
  STATUS_ADDR: {
      defaultText: "(off: no port is opened)",
      accepted: "a port (8080: this machine only), or host:port (127.0.0.1:8080; 0.0.0.0:8080 or [::]:8080 for every interface)",
      meaning: "Serve the status page, /healthz, /readyz, /metrics and /api/status there (read-only, never the API key; with CONTROL_TOKEN also the owner's controls).",
    },
  CONTROL_TOKEN: {
    defaultText: "(none: the page and its API are read-only)",
    accepted: `a secret of ${CONTROL_TOKEN_MIN} to 200 printable characters without spaces, e.g. the output of \`openssl rand -hex 16\``,
    meaning:
      "Turns on the owner's controls on STATUS_ADDR (hold everything or one queue for a while, a temporary N, resume-all, run missing jobs): the page asks for it once and keeps a session cookie; the API and the command line send it as `Authorization: Bearer`. Set this or CONTROL_TOKEN_FILE, not both; needs STATUS_ADDR.",
    secret: true,
  },
  CONTROL_TOKEN_FILE: {
    defaultText: "(none)",
    accepted: "the path of a readable file holding only the token",
    meaning: "Read CONTROL_TOKEN from a file (Docker/systemd secrets); the command line reads it too.",
  },
  NOTIFY_URL: {
    defaultText: "(none: no notifications)",
    accepted:
      "URLs separated by spaces: an ntfy topic (https://ntfy.sh/my-topic, or your own ntfy server's), or a JSON webhook prefixed with json+ (json+https://hooks.example/abc)",
    meaning:
      "Where to send a message when something needs you: Immich unreachable for NOTIFY_OUTAGE_AFTER or the key refused, and back; a queue held because a person paused it; a backlog done; a time window opened or closed; the machine-learning service gone or back. Events close together go out as one message.",
  },
  NOTIFY_TOKEN: {
    defaultText: "(none)",
    accepted: "an access token (printable characters, no spaces), e.g. ntfy's tk_...",
    meaning: "Sent as `Authorization: Bearer <token>` with every notification. Set this or NOTIFY_TOKEN_FILE, not both.",
    secret: true,
  },
  NOTIFY_TOKEN_FILE: {
    defaultText: "(none)",
    accepted: "the path of a readable file holding only the token",
    meaning: "Read NOTIFY_TOKEN from a file (Docker/systemd secrets).",
  },
  NOTIFY_OUTAGE_AFTER: {
    defaultText: "5m",
    accepted: "a duration: seconds (300) or with a unit (90s, 10m, 1h), 1 s to 7 days",
    meaning: "How long Immich must stay unreachable before a notification says so (a restart for an update is no news).",
  },
  STATE_DIRECTORY: {
    defaultText: "(set by systemd's StateDirectory=)",
    accepted: "a directory path (if several are listed with ':', the first is used)",
    meaning: "Where STATE_FILE goes by default.",
  },
  CONFIG_FILE: {
    defaultText: "(none)",
    accepted:
      'the path of a readable JSON file holding one object whose keys are these variables\' names in capitals or lower case, e.g. {"api_key": "...", "max_concurrent_jobs": 2} (values: strings, numbers, true/false, lists; at most 64 KB)',
    meaning:
      "Read the other variables from a file (how the Home Assistant add-on passes its options, /data/options.json; also handy with systemd). A variable set in the environment wins over the file; the file's values are checked like the environment's, and an error names the key and the file.",
  },
};

/** Every variable, in the order they are documented. */
export const ENV_NAMES = Object.keys(VARIABLES) as EnvName[];

/** The documentation of one variable. */
export function variableDoc(name: EnvName): VariableDoc {
  return VARIABLES[name];
}
