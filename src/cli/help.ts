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
                   (never a person's): the systemd unit's ExecStopPost.
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
