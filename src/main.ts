// Entry point (with main-signals.ts): the only file that touches the real process — argv, the
// environment, signals, the real clock, the file system for API_KEY_FILE and
// process.exit. Everything else is handed these through src/cli/app.ts.

// First: the signal handlers, before anything else loads.
import { forceController, stopController } from "./main-signals.ts";
import { outputMasker, runApp } from "./cli/app.ts";
import { EXIT } from "./cli/exit-codes.ts";
import { readFileLimited } from "./shared/bounded-read.ts";
import { systemClock } from "./shared/clock.ts";
import { fdOutput } from "./shared/text-out.ts";

// stdout and stderr are written straight to their descriptors (text-out.ts):
// a closed pipe (`| head`) drops what cannot be written, never a stack trace.
try {
  const code = await runApp({
    argv: process.argv.slice(2),
    env: process.env,
    stdout: fdOutput(1),
    stderr: fdOutput(2),
    clock: systemClock,
    signal: stopController.signal,
    force: forceController.signal,
    // API_KEY_FILE, NOTIFY_TOKEN_FILE, PSI: at most 64 KB each, never a hang on a FIFO (bounded-read.ts).
    readFile: (path) => readFileLimited(path),
    random: Math.random,
    fetch: globalThis.fetch,
    pid: process.pid,
  });
  process.exit(code);
} catch (e) {
  // Never a stack trace for the user; the message names what broke.
  const mask = outputMasker(process.env, (path) => readFileLimited(path));
  fdOutput(2).write(mask(`immich-job-daemon: internal error: ${e instanceof Error ? e.message : String(e)}; please report it\n`));
  process.exit(EXIT.internal);
}
