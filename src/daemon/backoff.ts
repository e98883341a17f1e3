// How long the daemon waits before looking again after a failed poll, or
// while Immich is starting (DESIGN.md §2 rule 10): capped, jittered,
// exponential. The cap follows POLL_INTERVAL, not a fixed minute: while Immich
// is away, its own restart resumes metadataExtraction and a Redis loss clears
// every pause flag, so every second the daemon looks late is a second with
// more queues running than the cap allows. Measured (issue 7): a 60 s cap
// with POLL_INTERVAL=1 saw Immich 33 s after it was back, with up to 8
// managed queues running meanwhile.
//
// The policy: retry delays 1, 2, 4... s, capped at max(POLL_INTERVAL, 5 s),
// each between 80 % and 100 % of that (a fifth of it random, so that many
// daemons spread out). The daemon then sees Immich again within the cap of
// its return, and a long outage costs at most 60 / (0.8 cap) requests a
// minute (15 at POLL_INTERVAL <= 5 s, 7.5 at the default 10 s): one GET
// each, nothing else.

/** The retry delay never exceeds max(POLL_INTERVAL, this). */
export const RETRY_CAP_FLOOR_MS = 5_000;
/** The first retry's delay, before doubling. */
export const RETRY_BASE_MS = 1_000;

/** The random share of a retry delay. */
export const RETRY_JITTER = 0.2;

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** A number in [0, 1); injected so tests are deterministic. */
  random: () => number;
  /** The random share of each delay (default 0.5, "equal jitter"): the rest is fixed, so it never collapses to zero. */
  jitter?: number;
}

/** Delay before retry number `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const exp = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  const jitter = opts.jitter ?? 0.5;
  return Math.round(exp * (1 - jitter) + exp * jitter * opts.random());
}

/** The longest wait between two tries while Immich does not answer. */
export function retryCapMs(pollIntervalMs: number): number {
  return Math.max(pollIntervalMs, RETRY_CAP_FLOOR_MS);
}

/** The wait after `failures` failed tries in a row (>= 1). */
export function retryDelay(failures: number, pollIntervalMs: number, random: () => number): number {
  return backoffDelay(Math.max(0, failures - 1), { baseMs: RETRY_BASE_MS, capMs: retryCapMs(pollIntervalMs), random, jitter: RETRY_JITTER });
}

// The exit clean-up's own pace (exit-cleanup.ts, issue 16): its whole budget
// is EXIT_TIMEOUT (8 s by default), so its waits start short and stay short.
// 250 ms doubling to a 2 s cap (each 80-100 % of that): tries at about 0,
// 0.25, 0.75, 1.75, 3.75, 5.75 and 7.75 s, so an outage of up to 5 s (a
// restart, a proxy reloading) still ends inside the default budget with its
// queues resumed, and the server sees at most 7 rounds.

/** The exit clean-up's first wait between tries, before doubling. */
export const EXIT_RETRY_BASE_MS = 250;
/** Its longest wait between tries. */
export const EXIT_RETRY_CAP_MS = 2_000;

/** The exit clean-up's wait after `attempt` failed tries (0 = after the first). */
export function exitRetryDelay(attempt: number, random: () => number): number {
  return backoffDelay(attempt, { baseMs: EXIT_RETRY_BASE_MS, capMs: EXIT_RETRY_CAP_MS, random, jitter: RETRY_JITTER });
}
