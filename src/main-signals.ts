// Part of the entry point (src/main.ts imports it first, so it runs before
// any other module is loaded): the signal handlers. Installed this early
// because a signal that arrives before them kills the process the default
// way, with no clean-up and no line said (issue 7: the random-signal test
// hit that window while the rest of the program was still loading).
//
// Every signal that would otherwise end the process and that a Bun program
// can catch is a graceful stop: the queues the daemon paused are resumed
// before it exits. Which ones those are, and why the others are left alone
// (faults, the runtime's own, SIGKILL and the real-time signals Bun cannot
// catch), is the table in src/shared/signals.ts (issue 16 item 2). SIGHUP
// (a closed terminal, or a supervisor's "reload") re-reads nothing: the
// configuration is the environment, fixed at start. A second signal means
// "now": the exit clean-up stops and names what stays paused.

import { HANDLED_SIGNALS } from "./shared/signals.ts";

/** Aborted by the first terminating signal; its reason is the signal's name. */
export const stopController = new AbortController();
/** Aborted by a second one. */
export const forceController = new AbortController();

for (const { name, number } of HANDLED_SIGNALS) {
  process.on(name, () => {
    if (!stopController.signal.aborted) return stopController.abort(name);
    forceController.abort(name);
    // The clean-up's requests are aborted, so it returns at once; if not, go anyway.
    setTimeout(() => process.exit(128 + number), 1_000).unref();
  });
}
