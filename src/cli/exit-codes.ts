// Exit codes, documented in docs/ (configuration.md, troubleshooting.md) and `--help`. Distinct codes let a
// supervisor (systemd, a container runtime, a cron job) tell a
// misconfiguration, which restarting cannot fix, from an outage.

export const EXIT = {
  /** Finished normally (a graceful stop of `run` included). */
  ok: 0,
  /** An unexpected internal error (a bug: please report it). */
  internal: 1,
  /** Bad configuration or usage: a wrong variable, command or flag. */
  usage: 2,
  /** Immich rejected the API key (401). */
  unauthorized: 3,
  /** The key's user is not an admin, or the key lacks a permission (403). */
  forbidden: 4,
  /** Immich could not be reached or could not answer (down, maintenance, 5xx, timeout). */
  unavailable: 5,
  /** The URL does not answer like Immich's API (an HTML page, garbage, a redirect). */
  notImmich: 6,
  /** Stopped, but some queues the daemon paused could not be resumed. */
  leftPaused: 7,
  /** hold, release, set-n, missing: no daemon answers at STATUS_ADDR. */
  notRunning: 8,
  /** hold, release, set-n, missing, resume-all: the daemon refused (wrong token, controls off, too many attempts). */
  refused: 9,
} as const;

export const EXIT_CODE_DOCS: [number | string, string][] = [
  [EXIT.ok, "finished normally (including a graceful stop on SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 or SIGUSR2)"],
  [EXIT.internal, "unexpected internal error (a bug; please report it); for `healthcheck`: unhealthy"],
  [EXIT.usage, "bad configuration, command, flag or argument (nothing was sent to Immich; for hold, release, set-n, missing: also what the daemon refused as a bad argument)"],
  [EXIT.unauthorized, "Immich rejected the API key (401)"],
  [EXIT.forbidden, "the key's user is not an admin, or the key lacks a permission (403)"],
  [EXIT.unavailable, "Immich unreachable or not answering (once, status, resume-all; run waits instead)"],
  [EXIT.notImmich, "IMMICH_URL does not answer like Immich's API (HTML page, garbage, redirect)"],
  [EXIT.leftPaused, "stopped, but some queues the daemon paused could not be resumed"],
  [EXIT.notRunning, "hold, release, set-n, missing: no daemon answers at STATUS_ADDR"],
  [EXIT.refused, "hold, release, set-n, missing, resume-all: the daemon refused (wrong CONTROL_TOKEN, controls off, too many attempts)"],
  // src/shared/signals.ts: the code a shell gives a process a signal killed, after the clean-up.
  ["128+n", "stopped gracefully (queues resumed) by signal n that is not a stop request: SIGALRM 142, SIGXCPU 152, SIGABRT 134..."],
];

/** The exit code for an Immich client error kind. */
export function exitCodeFor(kind: string): number {
  switch (kind) {
    case "unauthorized":
      return EXIT.unauthorized;
    case "forbidden":
    case "missing-scope":
      return EXIT.forbidden;
    case "unreachable":
    case "timeout":
    case "maintenance":
    case "server-error":
      return EXIT.unavailable;
    case "not-json":
    case "invalid-answer":
    case "redirected":
    case "bad-request":
      return EXIT.notImmich;
    default:
      return EXIT.internal;
  }
}
