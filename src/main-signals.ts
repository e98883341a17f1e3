// Part of the entry point (src/main.ts imports it first, so it runs before
// any other module is loaded): the signal handlers. Installed this early
// because a signal that arrives before them kills the process the default
// way, with no clean-up and no line said (issue 7: the random-signal test
// hit that window while the rest of the program was still loading).
//
// Every catchable signal that would otherwise end the process is a graceful
// stop: the queues the daemon paused are resumed before it exits. SIGHUP
// (a closed terminal, or a supervisor's "reload") re-reads nothing: the
// configuration is the environment, fixed at start. SIGKILL cannot be
// caught; the next start reconciles. A second signal means "now": the exit
// clean-up stops and names what stays paused.

const TERMINATING = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGUSR1: 10, SIGUSR2: 12, SIGTERM: 15 } as const;

/** Aborted by the first terminating signal; its reason is the signal's name. */
export const stopController = new AbortController();
/** Aborted by a second one. */
export const forceController = new AbortController();

for (const [sig, number] of Object.entries(TERMINATING)) {
  process.on(sig, () => {
    if (!stopController.signal.aborted) return stopController.abort(sig);
    forceController.abort(sig);
    // The clean-up's requests are aborted, so it returns at once; if not, go anyway.
    setTimeout(() => process.exit(128 + number), 1_000).unref();
  });
}
