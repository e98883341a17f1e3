// The wait between two cycles of the daemon's loop (daemon.ts): how long it
// is, and the sleep itself. The poll interval or rule 12's next look (after
// a failure, the backoff), cut short by anything that changes sooner: a
// window's minute, an owner's hold ending, rule 15's dwell or settle time.
// Under rule 15 the sleep watches the pressure meanwhile (auto-cap-watch.ts
// says how often), and a reading above the target ends it.

import type { Clock } from "../shared/clock.ts";
import type { AutoCapper } from "./auto-cap-loop.ts";
import { retryDelay } from "./backoff.ts";
import type { ControlKeeper } from "./control-keeper.ts";
import type { DaemonView } from "./cycle-book.ts";
import type { GateWatch } from "./gates.ts";

/** What the wait depends on (the daemon's options). */
export interface Pacing {
  clock: Clock;
  pollIntervalMs: number;
  /** Rule 12's floor: the soonest it looks again when a change is near. */
  minPollIntervalMs?: number;
  /** In [0,1), for backoff jitter. */
  random: () => number;
  gates?: GateWatch;
  control?: ControlKeeper;
  autoCap?: AutoCapper;
}

/** How long to wait after a cycle: `nextMs` is rule 12's next look after a good one, `failures` the count after a failed one. */
export function waitAfter(p: Pacing, cycle: { ok: boolean; nextMs: number | undefined; failures: number }): number {
  const polled = cycle.ok ? (cycle.nextMs ?? p.pollIntervalMs) : retryDelay(cycle.failures, p.pollIntervalMs, p.random);
  // A window opens or closes at its minute, not at the next poll after it (rule 6); an owner's hold ends at its time (rule 16).
  // Rule 15: a dwell or settle time that ends before the next poll is looked at when it ends.
  const expiry = p.control?.nextExpiry();
  return Math.min(
    polled,
    p.gates?.msToNextChange() ?? Infinity,
    expiry === undefined ? Infinity : Math.max(0, expiry - p.clock.now()),
    cycle.ok ? Math.max(p.minPollIntervalMs ?? 0, p.autoCap?.msToNextChange() ?? Infinity) : Infinity,
  );
}

/**
 * The wait between two cycles. Under rule 15, while a queue stands by, the
 * pressure is read every WATCH_MS meanwhile (with tuning, RESUMED_WATCH_MS
 * right after a resume) (its source only: no request to Immich); a reading
 * above the target ends the wait, so work that an upload started in a
 * standby queue is seen, and lowered, within a second or two.
 */
export async function sleepBetween(p: Pick<Pacing, "clock" | "autoCap">, ms: number, ok: boolean, latest: DaemonView | undefined, signal: AbortSignal): Promise<void> {
  const { autoCap, clock } = p;
  if (!autoCap || !ok) return clock.sleep(ms, signal);
  const end = clock.now() + ms;
  for (let left = ms; left > 0 && !signal.aborted; left = end - clock.now()) {
    const every = autoCap.watching(latest);
    if (every === undefined) return clock.sleep(left, signal);
    await clock.sleep(Math.min(every, left), signal);
    if (signal.aborted || end - clock.now() <= 0) return;
    if (await autoCap.watch(latest, signal)) return;
  }
}
