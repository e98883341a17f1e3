// Capped, jittered exponential backoff for retries after a failed poll or
// while Immich is starting (DESIGN.md §2 rule 10). "Equal jitter": half the
// delay is fixed, half random, so retries from many daemons spread out but
// never collapse to zero.

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** A number in [0, 1); injected so tests are deterministic. */
  random: () => number;
}

/** Delay before retry number `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const exp = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp / 2 + (exp / 2) * opts.random());
}
