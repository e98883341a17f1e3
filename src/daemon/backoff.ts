// How long the daemon waits before looking again after a failed poll, or
// while Immich is starting (DESIGN.md §2 rule 10): capped, jittered,
// exponential. The cap follows POLL_INTERVAL, not a fixed minute: while Immich
// is away, its own restart resumes metadataExtraction and a Redis loss clears
// every pause flag, so every second the daemon looks late is a second with
// more queues running than the cap allows. Measured (issue 7): a 60 s cap
// with POLL_INTERVAL=1 saw Immich 33 s after it was back, with up to 8
// managed queues running meanwhile.
//
// The policy: retry delays 1, 2, 4... s, capped at max(POLL_INTERVAL, 5 s).
// The daemon then sees Immich again within that cap of its return, and a
// long outage costs at most 60 / cap requests a minute (12 at
// POLL_INTERVAL <= 5 s, 6 at the default 10 s): one GET each, nothing else.

/** The retry delay never exceeds max(POLL_INTERVAL, this). */
export const RETRY_CAP_FLOOR_MS = 5_000;
/** The first retry's delay, before doubling. */
export const RETRY_BASE_MS = 1_000;

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** A number in [0, 1); injected so tests are deterministic. */
  random: () => number;
}

/** Delay before retry number `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const exp = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  // "Equal jitter": half fixed, half random, so retries from many daemons
  // spread out but never collapse to zero.
  return Math.round(exp / 2 + (exp / 2) * opts.random());
}

/** The longest wait between two tries while Immich does not answer. */
export function retryCapMs(pollIntervalMs: number): number {
  return Math.max(pollIntervalMs, RETRY_CAP_FLOOR_MS);
}

/** The wait after `failures` failed tries in a row (>= 1). */
export function retryDelay(failures: number, pollIntervalMs: number, random: () => number): number {
  return backoffDelay(Math.max(0, failures - 1), { baseMs: RETRY_BASE_MS, capMs: retryCapMs(pollIntervalMs), random });
}
