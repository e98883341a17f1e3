// Every Linux signal whose default action ends a process, and what the daemon
// does with each (issue 16 item 2). One table, read by the signal handlers
// (src/main-signals.ts), the exit code (src/cli/app.ts), the tests and the
// documentation (docs/reliability-signals.md), so the three cannot drift.
//
// The set is fixed by the kernel (signal(7): "Term" and "Core" actions).
// What a Bun 1.4.5 program can catch was measured, not assumed: a handler
// exists only for the names in Bun's own name-to-number table (31 names), so
// SIGSTKFLT and the real-time signals (32..64) cannot be caught by any
// JavaScript (process.on accepts the name and installs nothing: the SigCgt
// mask in /proc/PID/status does not change, and the signal kills the
// process). SIGPIPE and SIGXFSZ are ignored by the runtime from its start
// (SigIgn), so a write fails instead; SIGPWR is the runtime's own (its
// collector suspends threads with it) and never ends the process.

/**
 * - `stop`: a request to stop; the graceful stop, exit 0 (or 7).
 * - `abnormal`: the graceful stop too, but the process was not asked to stop
 *   the usual way (a limit, a stray timer, an abort): exit 128 + n, so a
 *   supervisor sees a failure (systemd's Restart=on-failure restarts it).
 * - `runtime`: does not end this program (ignored or used by the runtime).
 * - `fault`: a real one (a bad memory access...) cannot be survived: a handler
 *   that returns runs the faulting instruction again. Bun's crash handler
 *   reports it and the process ends; the queues stay paused.
 * - `uncatchable`: ends the process at once (the kernel's SIGKILL, or a
 *   signal Bun cannot catch); the queues stay paused.
 */
export type SignalHandling = "stop" | "abnormal" | "runtime" | "fault" | "uncatchable";

export interface TerminatingSignal {
  /** Name as `kill -l` gives it (SIGRTMIN+n for the real-time ones). */
  name: string;
  /** Linux number (x86-64 and arm64 agree on every one of these). */
  number: number;
  /** The kernel's default action: end, or end with a core dump. */
  action: "term" | "core";
  handling: SignalHandling;
  why: string;
}

const sig = (name: string, number: number, action: "term" | "core", handling: SignalHandling, why: string): TerminatingSignal => ({
  name,
  number,
  action,
  handling,
  why,
});

const REALTIME_WHY =
  "real-time signal: Bun 1.4.5 has no name for it and process.on takes names only, so no handler can exist; a container's PID 1 never receives it (the kernel drops a signal PID 1 has no handler for)";

export const TERMINATING_SIGNALS: readonly TerminatingSignal[] = [
  sig("SIGHUP", 1, "term", "stop", "a closed terminal, or a supervisor's reload; the configuration is fixed at start, so it stops"),
  sig("SIGINT", 2, "term", "stop", "Ctrl-C"),
  sig("SIGQUIT", 3, "core", "stop", "Ctrl-\\"),
  sig("SIGILL", 4, "core", "fault", "illegal instruction"),
  sig("SIGTRAP", 5, "core", "abnormal", "a debugger's trap; none is set, so it comes from outside"),
  sig("SIGABRT", 6, "core", "abnormal", "abort (systemd's WatchdogSignal); a real abort() still ends the process after the handler"),
  sig("SIGBUS", 7, "core", "fault", "bad memory access"),
  sig("SIGFPE", 8, "core", "fault", "arithmetic fault"),
  sig("SIGKILL", 9, "term", "uncatchable", "the kernel ends the process; the systemd unit's ExecStopPost and the next start clean up"),
  sig("SIGUSR1", 10, "term", "stop", "user-defined; nothing else in the daemon uses it"),
  sig("SIGSEGV", 11, "core", "fault", "bad memory access"),
  sig("SIGUSR2", 12, "term", "stop", "user-defined; nothing else in the daemon uses it"),
  sig("SIGPIPE", 13, "term", "runtime", "ignored by the runtime: a write to a closed pipe fails and the line is dropped"),
  sig("SIGALRM", 14, "term", "abnormal", "a timer the daemon never sets: it comes from outside"),
  sig("SIGTERM", 15, "term", "stop", "the usual stop (systemd, docker stop)"),
  sig("SIGSTKFLT", 16, "term", "uncatchable", "not in Bun 1.4.5's signal names: no handler can exist"),
  sig("SIGXCPU", 24, "core", "abnormal", "CPU time limit (RLIMIT_CPU, LimitCPU=) reached"),
  sig("SIGXFSZ", 25, "core", "runtime", "ignored by the runtime: a write beyond RLIMIT_FSIZE fails instead"),
  sig("SIGVTALRM", 26, "term", "abnormal", "a timer the daemon never sets: it comes from outside"),
  sig("SIGPROF", 27, "term", "abnormal", "a profiling timer the daemon never sets: it comes from outside"),
  sig("SIGIO", 29, "term", "abnormal", "asynchronous I/O the daemon never asks for (SIGPOLL is the same signal)"),
  sig("SIGPWR", 30, "term", "runtime", "the runtime's own (its garbage collector suspends threads with it): it never ends the process"),
  sig("SIGSYS", 31, "core", "abnormal", "a bad system call (a seccomp trap); systemd's SystemCallFilter= kills with it uncatchably instead"),
  sig("SIGCANCEL", 32, "term", "uncatchable", "reserved by the C library (thread cancellation); no name in Bun"),
  // 33 is the C library's (SIGSETXID): it has its own handler and never ends the process.
  ...Array.from({ length: 31 }, (_, i) => sig(i === 0 ? "SIGRTMIN" : i === 30 ? "SIGRTMAX" : `SIGRTMIN+${i}`, 34 + i, "term", "uncatchable", REALTIME_WHY)),
];

/** The signals main-signals.ts handles: a graceful stop. */
export const HANDLED_SIGNALS = TERMINATING_SIGNALS.filter((s) => s.handling === "stop" || s.handling === "abnormal");

/**
 * The exit code of a command whose own code is `code`, stopped by the signal
 * named `reason`: a clean stop by an abnormal signal is 128 + its number
 * (what a shell reports for a process it killed), so a supervisor sees that
 * the process ended for a reason other than being asked to stop. Any other
 * code (7: queues left paused...) says more and is kept.
 */
export function exitCodeAfterSignal(code: number, reason: unknown): number {
  if (code !== 0 || typeof reason !== "string") return code;
  const s = HANDLED_SIGNALS.find((x) => x.name === reason);
  return s?.handling === "abnormal" ? 128 + s.number : code;
}
