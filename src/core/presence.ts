// Which managed queues an answer lists, compared with the answers before it
// (DESIGN.md §2 rule 10, issue 16). A queue list that lacks managed queues
// the previous one had is suspect: a proxy's stale or cut-down answer, a
// server mid-restart, a cache of an older version. The daemon takes no action
// on it, exactly as on an answer it could not read, and looks again with
// backoff. The ownership of the missing queues is never touched either way
// (reconcile.ts keeps it).
//
// A server can also truly lose a queue (a downgrade to a version without it).
// Waiting for it forever would stop the daemon for good, so the server is
// taken at its word once the same queues have been missing from every answer
// for SUSPECT_AFTER_MS and at least SUSPECT_AFTER_LOOKS looks in a row: the
// daemon then decides on what it is shown again. What it knew of those queues
// is still kept: if they come back paused, the pause is still the daemon's
// (resumed in its turn and on exit), never a person's. Answers that keep
// changing which queues they lack (a flaky proxy) never settle, and the
// daemon stays degraded, taking no action, as for any answer it cannot trust.

import type { Observation } from "./types.ts";

/** Missing from every answer for at least this long... */
export const SUSPECT_AFTER_MS = 60_000;
/** ...and at least this many looks in a row, before the server is believed. */
export const SUSPECT_AFTER_LOOKS = 3;

/** What the check remembers between looks (plain data). */
export interface Presence {
  /** Managed queues the trusted answers list. */
  listed: readonly string[];
  /** The current run of suspect answers, if any. */
  suspect?: {
    /** Missing from every answer of the run (the intersection). */
    missing: readonly string[];
    /** When the first answer that lacked them arrived. */
    since: number;
    looks: number;
  };
}

/** Queues the server is now taken at its word not to have (said once). */
export interface Gone {
  queues: string[];
  /** How long, and in how many looks in a row, they were missing. */
  forMs: number;
  looks: number;
}

export type PresenceVerdict =
  /** Trust the answer: decide on it. */
  | { trusted: true; presence: Presence; gone?: Gone }
  /** Take no action on it. `missing`: managed queues the trusted answers had and this one lacks. */
  | { trusted: false; presence: Presence; missing: string[]; gone?: Gone };

/**
 * @param previous undefined before the first answer (which is trusted: there is nothing to compare it with).
 * @param managed MANAGED_QUEUES.
 */
export function checkPresence(previous: Presence | undefined, observation: Observation, managed: readonly string[]): PresenceVerdict {
  const names = new Set(observation.queues.map((q) => q.name));
  const listed = managed.filter((q) => names.has(q));
  if (!previous) return { trusted: true, presence: { listed } };
  const missing = previous.listed.filter((q) => !names.has(q));
  if (missing.length === 0) return { trusted: true, presence: { listed } };

  // Missing from every answer of the run so far; a run whose answers lack
  // nothing in common starts again (a flaky list never settles).
  const run = previous.suspect;
  const common = run ? missing.filter((q) => run.missing.includes(q)) : [];
  const suspect = common.length > 0 ? { missing: common, since: run!.since, looks: run!.looks + 1 } : { missing, since: observation.at, looks: 1 };
  if (suspect.looks < SUSPECT_AFTER_LOOKS || observation.at - suspect.since < SUSPECT_AFTER_MS) {
    return { trusted: false, presence: { listed: previous.listed, suspect }, missing };
  }
  // Taken at its word for the queues missing all along. If this answer lacks
  // others too, those start a run of their own.
  const gone: Gone = { queues: [...suspect.missing], forMs: observation.at - suspect.since, looks: suspect.looks };
  const rest = missing.filter((q) => !gone.queues.includes(q));
  if (rest.length > 0) {
    const kept = previous.listed.filter((q) => !gone.queues.includes(q));
    return { trusted: false, presence: { listed: kept, suspect: { missing: rest, since: observation.at, looks: 1 } }, missing: rest, gone };
  }
  return { trusted: true, presence: { listed }, gone };
}
