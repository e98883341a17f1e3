// Rule 15's pressure watch between two polls: how often the pressure source
// is read while the daemon waits (never Immich), and what those readings
// leave for the controller's next step (auto-cap-loop.ts): a reading above
// the target to decide with at once, and the highest of each resource, so
// that a stretch above ¾ of the target between two polls still stops a raise.

import { type AutoCapSettings, type AutoCapState, type PressureFigures, worst } from "../core/auto-cap.ts";
import type { Decision } from "../core/types.ts";

/**
 * While a queue stands by (rule 12), the pressure is read this often between
 * two polls (the source only, never Immich): an upload that starts work there
 * runs at the queue's full concurrency until the next look, and on a small
 * host that was most of the metadata stage (4 s at 86 % on the modelled
 * 2-core host, before the 10 s poll came). A reading above the target ends
 * the wait: the daemon looks at once.
 */
export const WATCH_MS = 1_000;
/**
 * With tuning, right after a queue is resumed, half a second: its first
 * reading comes before the next look, so a queue that saturates the host at
 * its owner's concurrency is lowered a second into its run, not two.
 */
export const RESUMED_WATCH_MS = 500;

/**
 * How often to read the pressure between two polls, or undefined: not at
 * all. While a queue stands by (new work would start there unseen), and,
 * with tuning, right after a resume; never while the pressure is already
 * above the target (the dwell's own looks come soon then), nor when a look
 * could lower nothing. (Not while the owner has the daemon stand aside: the
 * caller knows that.)
 */
export function watchEvery(state: AutoCapState, settings: AutoCapSettings, latest: { decision: Decision } | undefined): number | undefined {
  if (!latest || state.overSince !== undefined || state.sourceLost) return undefined;
  // Nothing a look could lower: N at its lower bound and no tuning.
  if (!settings.tune && state.n <= settings.range.min) return undefined;
  if (settings.tune && latest.decision.actions.some((a) => a.kind === "resume" && !latest.decision.standby.includes(a.queue))) return RESUMED_WATCH_MS;
  return latest.decision.standby.length > 0 ? WATCH_MS : undefined;
}

/** What the watches read since the controller's last step. */
export class WatchReadings {
  /** A reading above the target: the next step uses it (fresh) instead of reading again. */
  private fresh?: PressureFigures;
  /**
   * The highest readings since the last step, per resource. A watch takes
   * the meter's reading, so the step's own covers only the time since; the
   * step takes the highest of both ("stayed under" means at every reading).
   */
  private peak?: PressureFigures;

  /** Notes one watch's figures; true when they are above the target (the caller looks at once). */
  note(figures: PressureFigures, target: AutoCapSettings["target"]): boolean {
    this.peak = highest(this.peak, figures);
    const w = worst(figures, target);
    if (!w || w.ratio <= 1) return false;
    this.fresh = figures;
    return true;
  }

  /** What was noted since the last step, forgotten here: the step's. */
  take(): { fresh?: PressureFigures; peak?: PressureFigures } {
    const taken = { ...(this.fresh ? { fresh: this.fresh } : {}), ...(this.peak ? { peak: this.peak } : {}) };
    this.fresh = undefined;
    this.peak = undefined;
    return taken;
  }
}

/** Per resource, the higher of two readings. */
export function highest(a: PressureFigures | undefined, b: PressureFigures): PressureFigures {
  const out: PressureFigures = { ...a };
  for (const [r, v] of Object.entries(b) as [keyof PressureFigures, number][]) out[r] = Math.max(out[r] ?? 0, v);
  return out;
}
