// The owner's instructions (DESIGN.md §2 rule 16), as plain data that the
// decision takes as one more input, like the windows and gates: hold every
// managed queue until a time, hold one queue until a time, a temporary N,
// "stop managing" (resume-all), and requests to run a queue's missing jobs.
// Pure: the caller passes the time in; what is in force at an instant is
// `inForce`, and decide() composes the rest (holds become blockers that pause
// gracefully, the N replaces the configured one, stop managing replaces the
// whole decision). Nothing here ever interrupts a job or names an unmanaged
// queue: the commands that build this state refuse those (control-commands.ts).

import { dict, own } from "../shared/dict.ts";
import type { Block, Blockers } from "./blockers.ts";

/** Through which door an instruction came, for the log line and the page. */
export type Channel = "page" | "api" | "cli";

/** Who asked, when, and through which channel. */
export interface Asked {
  /** Clock time of the request (ms since epoch). */
  at: number;
  /** The requester as the daemon knows it: its address, e.g. "127.0.0.1". */
  by: string;
  channel: Channel;
}

/** Holds until `until` (ms since epoch). */
export interface Hold extends Asked {
  until: number;
}

/** N replaced by `n` until `until`. */
export interface NOverride extends Asked {
  n: number;
  until: number;
}

/** The owner's instructions, as kept in the state file (key `control`). */
export interface ControlState {
  /** Hold everything: every managed queue paused gracefully, nothing started. */
  all?: Hold;
  /** Per managed queue holds. */
  queues?: Record<string, Hold>;
  /** A temporary N. */
  n?: NOverride;
  /** Stop managing: every queue the daemon paused or held is resumed and nothing else is sent until a release. */
  handsOff?: Asked;
  /** Queues whose missing jobs Immich is to queue (the legacy start command, force:false), oldest first. */
  missing?: (Asked & { queue: string })[];
}

/** One instruction that ran out, for one log line. */
export interface Ended {
  what: "all" | "queue" | "n";
  queue?: string;
  /** Its entry as it was. */
  entry: Hold | NOverride;
}

/** The instructions in force at `now` (what expired dropped) and what expired. */
export function inForce(state: ControlState, now: number): { state: ControlState; ended: Ended[] } {
  const ended: Ended[] = [];
  const out: ControlState = {};
  if (state.all) {
    if (state.all.until > now) out.all = state.all;
    else ended.push({ what: "all", entry: state.all });
  }
  for (const [queue, h] of Object.entries(state.queues ?? {})) {
    if (h.until > now) (out.queues ??= dict())[queue] = h;
    else ended.push({ what: "queue", queue, entry: h });
  }
  if (state.n) {
    if (state.n.until > now) out.n = state.n;
    else ended.push({ what: "n", entry: state.n });
  }
  if (state.handsOff) out.handsOff = state.handsOff;
  if (state.missing?.length) out.missing = state.missing;
  return { state: ended.length === 0 ? state : out, ended };
}

/** When the next instruction runs out (the loop looks again then), if any. */
export function nextExpiry(state: ControlState): number | undefined {
  const times = [state.all?.until, state.n?.until, ...Object.values(state.queues ?? {}).map((h) => h.until)].filter(
    (t): t is number => t !== undefined,
  );
  return times.length ? Math.min(...times) : undefined;
}

/** Whether nothing is asked: the decision is exactly the configured one. */
export const isEmptyControl = (s: ControlState | undefined): boolean =>
  !s || (!s.all && !s.n && !s.handsOff && !s.missing?.length && Object.keys(s.queues ?? {}).length === 0);

/** The N in force: the owner's temporary one, else the configured one. */
export const controlN = (configured: number, s: ControlState | undefined): number => s?.n?.n ?? configured;

/** "until 07:00 (Europe/Berlin), asked by 192.168.1.5 through the page": the tail of a hold's words. */
export function describeAsked(a: Asked, until?: string): string {
  return `${until ? `until ${until}, ` : ""}asked by ${a.by} through ${a.channel === "page" ? "the page" : a.channel === "cli" ? "the command line" : "the API"}`;
}

/**
 * The holds as blockers (blockers.ts): a held queue is paused gracefully if it
 * runs (its active jobs finish) and not started while the hold lasts. Holds on
 * queues that are not managed are ignored (the commands never make them; a
 * state file from another configuration might).
 */
export function controlBlockers(s: ControlState | undefined, managed: readonly string[], formatUntil: (t: number) => string): Blockers {
  // Queue names are data (issue 16 item 4): `constructor` is a queue, not a key Object.prototype has.
  const out = dict<Block[]>();
  if (!s) return out;
  for (const q of managed) {
    const h = own(s.queues, q);
    const all = s.all;
    // The hold that lasts longer says when the queue may run again.
    const hold = all && h ? (all.until >= h.until ? all : h) : (all ?? h);
    if (!hold) continue;
    const what = hold === all ? "every managed queue is held" : `${q} is held`;
    out[q] = [
      {
        code: "owner-hold",
        pause: true,
        detail: `${what} ${describeAsked(hold, formatUntil(hold.until))}`,
        params: { until: hold.until, all: hold === all, by: hold.by, channel: hold.channel },
      },
    ];
  }
  return out;
}

/** Two sets of blockers as one: a queue's blocks from both, `a`'s first. */
export function mergeBlockers(a: Blockers | undefined, b: Blockers): Blockers | undefined {
  if (Object.keys(b).length === 0) return a;
  const out = dict<readonly Block[]>(Object.entries(a ?? {}));
  for (const [q, blocks] of Object.entries(b)) out[q] = [...(own(out, q) ?? []), ...blocks];
  return out;
}

/**
 * The queues whose missing jobs are to be asked for now: those requested,
 * present on the server, with no active job (Immich refuses the start
 * command on an active queue: 400 "Job is already running"). The others wait.
 */
export function missingDue(s: ControlState | undefined, queues: readonly { name: string; active: number }[]): string[] {
  if (!s?.missing?.length) return [];
  const byName = new Map(queues.map((q) => [q.name, q]));
  return s.missing.filter((m) => byName.get(m.queue)?.active === 0).map((m) => m.queue);
}
