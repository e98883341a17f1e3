// Entry point: the only file that touches the real process — argv, the
// environment, signals, the real clock, the file system for API_KEY_FILE and
// process.exit. Everything else is handed these through src/cli/app.ts.

import { readFileSync } from "node:fs";
import { outputMasker, runApp } from "./cli/app.ts";
import { EXIT } from "./cli/exit-codes.ts";
import { systemClock } from "./shared/clock.ts";

// A closed pipe on stdout or stderr (`| head`) must not crash the daemon with
// a stack trace; what cannot be written is dropped.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});

// Every catchable signal that would otherwise end the process is a graceful
// stop: the queues the daemon paused are resumed before it exits. SIGHUP
// (a closed terminal, or a supervisor's "reload") re-reads nothing: the
// configuration is the environment, fixed at start. SIGKILL cannot be
// caught; the next start reconciles. A second signal means "now": the exit
// clean-up stops and names what stays paused.
const TERMINATING = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGUSR1: 10, SIGUSR2: 12, SIGTERM: 15 } as const;
const controller = new AbortController();
const force = new AbortController();
for (const [sig, number] of Object.entries(TERMINATING)) {
  process.on(sig, () => {
    if (!controller.signal.aborted) return controller.abort(sig);
    force.abort(sig);
    // The clean-up's requests are aborted, so it returns at once; if not, go anyway.
    setTimeout(() => process.exit(128 + number), 1_000).unref();
  });
}

try {
  const code = await runApp({
    argv: process.argv.slice(2),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    clock: systemClock,
    signal: controller.signal,
    force: force.signal,
    readFile: (path) => readFileSync(path, "utf8"),
    random: Math.random,
    fetch: globalThis.fetch,
    pid: process.pid,
  });
  process.exit(code);
} catch (e) {
  // Never a stack trace for the user; the message names what broke.
  const mask = outputMasker(process.env, (path) => readFileSync(path, "utf8"));
  process.stderr.write(mask(`immich-job-daemon: internal error: ${e instanceof Error ? e.message : String(e)}; please report it\n`));
  process.exit(EXIT.internal);
}
