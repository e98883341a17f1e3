// `--help`: commands, settings (from the configuration's own table, so help
// and README cannot drift from the code) and exit codes.

import { variablesHelp } from "../config/index.ts";
import { VERSION } from "../shared/version.ts";
import { EXIT_CODE_DOCS } from "./exit-codes.ts";

export function helpText(): string {
  return `immich-job-daemon ${VERSION}
Keeps an Immich server's background jobs under a global cap: at most
MAX_CONCURRENT_JOBS job queues run at once, in priority order, without
interrupting work in progress or touching queues that must never be paused.

Usage: immich-job-daemon [command] [options]

Commands:
  run              Run the daemon until SIGTERM/SIGINT (the default). On exit it
                   resumes every queue it paused (ON_EXIT=keep to keep them).
  once             One cycle (observe, decide, act), then exit. Exit code 5 if
                   Immich could not be observed.
  status [--json]  Every queue: counts, paused, managed, priority, owner and what
                   the daemon would do now. Sends no command.
  resume-all [--own]
                   Resume every paused managed queue, for recovery by hand;
                   with --own only those STATE_FILE says the daemon paused
                   (never a person's): the systemd unit's ExecStopPost. With
                   STATUS_ADDR and CONTROL_TOKEN set and the daemon running,
                   asks it instead: it resumes what it paused or holds and
                   stops managing until \`release\` (else it would pause
                   them again); with no daemon answering, resumes directly.
  hold [QUEUE] [2h | until 07:00]
                   Ask the running daemon to hold every managed queue (or
                   one) for a while (default 1h): running ones are paused
                   gracefully, nothing starts. Times are on TZ's clock.
  release [QUEUE]  End the holds (or one queue's), a temporary N and
                   stop-managing: back to the configured schedule.
  set-n N --for 4h | --until 07:00
                   Run at most N queues at once for a while, then
                   MAX_CONCURRENT_JOBS again.
  missing QUEUE    Ask Immich, through the daemon, to queue the queue's
                   missing jobs (the admin page's "Missing" button).
                   hold, release, set-n and missing talk to the daemon at
                   STATUS_ADDR with CONTROL_TOKEN or CONTROL_TOKEN_FILE (no
                   API key needed) and print what will happen.
  healthcheck      Exit 0 if a running daemon's loop is alive (asks its /healthz
                   when STATUS_ADDR is set, else reads HEALTH_FILE; no API key
                   needed, nothing sent to Immich), else 1.
  simulator        Serve a simulated Immich API (see: simulator --help).
  demo             Watch the daemon tame a simulated import (about a minute).

Options:
  -h, --help       This help.
  -V, --version    The version.

Settings come from the environment (the original shell script's names work):
${variablesHelp()}

Exit codes:
${EXIT_CODE_DOCS.map(([code, text]) => `  ${code}  ${text}`).join("\n")}
`;
}
