// The figures printed when the demo ends, taken from the simulator's
// recording (what the server really did, not what the daemon believes):
// how long the work took, the most managed queues that ever ran at once
// against N, how long uploads waited for a thumbnail, and how many pauses and
// resumes the daemon made.

import type { Recording } from "../simulator/engine-types.ts";
import {
  type LatencySummary,
  lastActivityEnd,
  latency,
  maxActiveQueues,
  pauseChangesBy,
  timesToThumbnail,
} from "../simulator/sim-summary.ts";

/** Why the demo ended. */
export type Outcome = "finished" | "time-limit" | "interrupted" | "failed";

export interface DemoSummary {
  outcome: Outcome;
  scenario: string;
  /** Simulated time from the start of the work to its end (or to the stop). */
  simMs: number;
  /** Real time the demo ran. */
  realMs: number;
  speed: number;
  /** Most managed queues with active jobs at the same moment. */
  maxActive: number;
  maxConcurrent: number;
  thumbnail: LatencySummary;
  uploads: { total: number; done: number };
  /** Pause flag changes made by the daemon while it ran. */
  pauses: number;
  resumes: number;
  /** Queues the daemon resumed on exit (what it had paused: rule 9). */
  exitResumes: number;
  /** The real-time cap in seconds, when that is what stopped it. */
  limitS?: number;
  /** What went wrong, for outcome "failed". */
  error?: string;
}

export interface SummaryInput {
  outcome: Outcome;
  scenario: string;
  /** Recordings just before and just after the daemon's exit clean-up. */
  before: Recording;
  after: Recording;
  /** The daemon's pause/resume commands carry this actor (its API key's label). */
  actor: string;
  managed: readonly string[];
  maxConcurrent: number;
  /** Simulated time the workload began. */
  workStart: number;
  realMs: number;
  speed: number;
  limitS: number;
  error?: string;
}

export function summarize(i: SummaryInput): DemoSummary {
  const rec = i.before;
  // A finished workload ends when its last job does, not when the next
  // frame noticed: that is the latest end of an active stretch.
  const end = i.outcome === "finished" ? lastActivityEnd(rec, i.workStart) : rec.now;
  const changes = pauseChangesBy(rec, i.actor);
  const all = pauseChangesBy(i.after, i.actor).length;
  return {
    outcome: i.outcome,
    scenario: i.scenario,
    simMs: Math.max(0, end - i.workStart),
    realMs: i.realMs,
    speed: i.speed,
    maxActive: maxActiveQueues(rec, i.managed),
    maxConcurrent: i.maxConcurrent,
    thumbnail: latency(timesToThumbnail(rec)),
    uploads: { total: rec.uploads.length, done: rec.uploads.filter((u) => u.doneAt !== undefined).length },
    pauses: changes.filter((c) => c.paused).length,
    resumes: changes.filter((c) => !c.paused).length,
    exitResumes: all - changes.length,
    ...(i.outcome === "time-limit" ? { limitS: i.limitS } : {}),
    ...(i.error !== undefined ? { error: i.error } : {}),
  };
}
