// The defaults of every setting that has one, in the units the code uses.
// variables.ts prints them in the variables table, load.ts applies them: one
// place to change a default.

import { DEFAULT_PRIORITY } from "../core/queues.ts";

export const CONFIG_DEFAULTS = {
  notifyOutageAfterMs: 5 * 60_000,
  immichUrl: "http://127.0.0.1:2283",
  maxConcurrentJobs: 1,
  pollIntervalMs: 10_000,
  /** Rule 12's floor: the soonest the daemon looks again when a change is near. */
  minPollIntervalMs: 1_000,
  /** Rule 7: 10 minutes (null = off). */
  maxWaitMs: 600_000 as number | null,
  managedQueues: DEFAULT_PRIORITY as readonly string[],
  unsafeQueues: [] as readonly string[],
  onExit: "resume",
  dryRun: false,
  logLevel: "info",
  logFormat: "text",
  requestTimeoutMs: 10_000,
  /** Inside every stop timeout the daemon ships with or meets: Docker's default 10 s, compose and systemd 15 s. */
  exitTimeoutMs: 8_000,
} as const;

/** Where the state file goes under systemd's StateDirectory=. */
export const STATE_FILE_NAME = "state.json";

/** Where `run` writes its heartbeat and `healthcheck` reads it, unless HEALTH_FILE says otherwise. */
export const HEALTH_FILE_NAME = "immich-job-daemon.health.json";
export const HEALTH_FILE_DEFAULT = `/tmp/${HEALTH_FILE_NAME}`;

/** HEALTH_FILE, or the default under TMPDIR (read by both `run` and `healthcheck`). */
export function healthFilePath(env: Record<string, string | undefined>): string {
  const explicit = env.HEALTH_FILE?.trim();
  if (explicit) return explicit;
  const tmp = env.TMPDIR?.trim().replace(/\/+$/, "");
  return tmp ? `${tmp}/${HEALTH_FILE_NAME}` : HEALTH_FILE_DEFAULT;
}

/**
 * MAX_PRESSURE when MAX_CONCURRENT_JOBS=auto or TUNE_CONCURRENCY is on and it
 * is unset. Why 40 % of cpu some: on a real 2-core host (issue 19's table)
 * Immich's defaults ran an import at 84 % CPU pressure (every interactive
 * request queued behind thumbnailing), N=1 at 70 %; N=1 with every queue's
 * concurrency at 1 held 35 % (worst avg10 40) and the host stayed usable,
 * draining 1.5x slower. A task then waits for the CPU less than half the
 * time: a page or an SMB read gets a core within a scheduler slice or two.
 */
export const AUTO_TARGET = { cpu: 40 } as const;
export const AUTO_TARGET_TEXT = "cpu=40";
