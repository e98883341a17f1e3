// Rule 12's standby (DESIGN.md §2): while slots are free, the queues where
// new work enters may stand unpaused and empty, so that the first upload to
// an idle server starts at once instead of at the next poll. One queue per
// free slot, so that whatever arrives there can never take more slots than
// are free; metadataExtraction first (every upload starts there), then the
// others by priority. decide() pauses a standby queue again before any other
// resume takes its slot, and releases (rule 4) only the queues beyond them.

/** Where every upload enters Immich's pipeline. */
export const ENTRY_QUEUE = "metadataExtraction";

export interface StandbyCandidate {
  name: string;
  /** Unpaused or paused, it has no active and no pending job. */
  empty: boolean;
  /** Paused by a person: never resumed by the daemon (rule 8). */
  held: boolean;
}

/**
 * The queues to keep unpaused and empty, at most `free` of them, from the
 * managed queues in priority order.
 */
export function chooseStandby(managed: readonly StandbyCandidate[], free: number): string[] {
  if (free <= 0) return [];
  const order = [...managed].sort((a, b) => Number(b.name === ENTRY_QUEUE) - Number(a.name === ENTRY_QUEUE));
  return order.filter((q) => q.empty && !q.held).slice(0, free).map((q) => q.name);
}
