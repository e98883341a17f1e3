// The world a daemon command is handed (environment, streams, clock, fetch,
// abort signals), so that only src/main.ts touches the real process and tests
// run every command in-process.

import type { Config } from "../config/index.ts";
import type { ImmichApi } from "../daemon/immich-api.ts";
import type { Clock } from "../shared/clock.ts";
import type { TextOut } from "../shared/text-out.ts";

export interface CommandIO {
  env: Record<string, string | undefined>;
  stdout: TextOut;
  stderr: TextOut;
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
