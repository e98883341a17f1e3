// The exit clean-up (DESIGN.md §2 rule 9): resume every queue the daemon
// paused, within a budget of time (EXIT_TIMEOUT) that fits inside the stop
// timeouts the daemon ships with, so a slow or briefly absent Immich still
// gets its resumes before the supervisor's SIGKILL.
//
// Each try is one look and the resumes of what is still paused, sent
// together, not one after another. A try that leaves queues paused is
// followed by another after a short backoff (backoff.ts: 250 ms doubling to
// 2 s), for as long as the budget allows: a restart or a proxy reloading
// during the stop costs a few seconds, not the queues (issue 16: three tries
// back to back gave up within 0.02 s of a 2-5 s outage). A resume that failed
// is only a failure once the server confirms the queue is still paused, or
// the budget is spent: a resume that timed out may well have landed (issue
// 7). A second signal (`force`) cuts it short; whatever may still be paused
// is named then, and a queue whose resume went out without an answer is
// named as unconfirmed, never as "still paused" (it may have landed).
//
// Time is injected: the budget and the waits are on the clock handed in (the
// real one by default: EXIT_TIMEOUT is real time), so tests drive an outage
// in virtual time.

import { exitActions } from "../core/decide.ts";
import type { Action, Observation, Ownership } from "../core/types.ts";
import type { ImmichClient } from "../immich/index.ts";
import { ImmichError } from "../immich/index.ts";
import { type Clock, realSleep } from "../shared/clock.ts";
import { exitRetryDelay } from "./backoff.ts";
import type { Log } from "./log.ts";

export interface ExitCleanupInput {
  client: Pick<ImmichClient, "connect" | "observe" | "setPaused">;
  ownership: Ownership;
  /** Milliseconds of `clock` for the whole clean-up. */
  budgetMs: number;
  /** Aborted by a second signal: stop at once. */
  force?: AbortSignal;
  /** Whether this process has connected (an API family is known); if not, it connects first. */
  connected: boolean;
  /** Told of every resume the server accepted. */
  onResumed: (action: Action) => void;
  /** The budget and the waits between tries; the real clock by default. */
  clock?: Pick<Clock, "now" | "sleep">;
  /** In [0,1), for the jitter of the waits. */
  random?: () => number;
}

export interface ExitCleanupResult {
  resumed: string[];
  /**
   * Not known to be resumed when the clean-up ended, and why. `unconfirmed`:
   * its resume went out but no answer came back (cut short by a second
   * signal, or the budget): it may have landed.
   */
  failed: { queue: string; error: string; unconfirmed?: boolean }[];
  /**
   * Queues the server does not have: absent from its answer, and the resume
   * refused as a bad request (a server that lost the queue: an older
   * version). Nothing of them is paused there.
   */
  notOnServer: string[];
}

/** The monotonic real clock, for callers that give none. */
const realClock: Pick<Clock, "now" | "sleep"> = {
  now: () => performance.now(),
  sleep: realSleep,
};

export async function resumeOwnPauses(i: ExitCleanupInput): Promise<ExitCleanupResult> {
  const clock = i.clock ?? realClock;
  const random = i.random ?? Math.random;
  const started = clock.now();
  const spent = () => clock.now() - started >= i.budgetMs;
  const left = () => Math.max(1, i.budgetMs - (clock.now() - started));
  // Requests are bounded by the budget left; a second signal aborts them at once.
  const within = (ms: number) => AbortSignal.any([AbortSignal.timeout(Math.max(1, Math.round(ms))), ...(i.force ? [i.force] : [])]);
  const why = (e: unknown) =>
    i.force?.aborted ? "stopped by a second signal" : spent() ? `no answer within EXIT_TIMEOUT (${i.budgetMs / 1000} s)` : message(e);
  // The next try starts with at least this much of the budget left, so it can be answered.
  const reserve = Math.min(1_000, i.budgetMs / 4);

  const held = new Set(i.ownership.held);
  const ours = i.ownership.pausedByUs.filter((q) => !held.has(q));
  const result: ExitCleanupResult = { resumed: [], failed: [], notOnServer: [] };
  if (ours.length === 0) return result;

  let todo = ours;
  let connected = i.connected;
  const lastError = new Map<string, string>();
  /** Resumes that went out and were not answered, and that no later look settled. */
  const unanswered = new Set<string>();
  const settle = (q: string, resumed: boolean) => {
    unanswered.delete(q);
    lastError.delete(q);
    if (resumed) result.resumed.push(q);
  };

  for (let attempt = 0; ; attempt++) {
    if (!connected) {
      try {
        // Half of what is left at most, so that one try still fits after it.
        await i.client.connect(within(left() / 2), { checkWrite: false });
        connected = true;
      } catch (e) {
        const error = i.force?.aborted ? "stopped by a second signal" : `Immich did not answer (${message(e)})`;
        for (const q of todo) lastError.set(q, error);
      }
    }
    if (connected) todo = await tryOnce(todo);
    if (todo.length === 0 || i.force?.aborted || left() <= reserve) break;
    await clock.sleep(Math.min(exitRetryDelay(attempt, random), left() - reserve), i.force);
    if (i.force?.aborted) break;
  }
  result.failed = todo.map((queue) => ({
    queue,
    error: lastError.get(queue) ?? "not resumed",
    ...(unanswered.has(queue) ? { unconfirmed: true } : {}),
  }));
  return result;

  /** One look, then the resumes of what it shows paused (all of `todo` if it failed); what is left to do. */
  async function tryOnce(todo: string[]): Promise<string[]> {
    // A third of what is left at most for the look; without it, resume
    // blindly (a resume is idempotent).
    const look: Observation | undefined = await i.client.observe(within(left() / 3)).catch(() => undefined);
    // Stopped (or out of time) meanwhile: nothing more is sent.
    if (i.force?.aborted || spent()) {
      for (const q of todo) if (!lastError.has(q)) lastError.set(q, why(undefined));
      return todo;
    }
    const actions = exitActions(look, { ...i.ownership, pausedByUs: todo });
    if (look) {
      // Shown running: resumed (by an earlier try whose answer was lost, or as the stop came).
      for (const q of todo) if (!actions.some((a) => a.queue === q)) settle(q, true);
      // Shown paused: an unanswered resume did not land.
      for (const a of actions) if (look.queues.some((q) => q.name === a.queue)) unanswered.delete(a.queue);
    }
    const listed = new Set(look?.queues.map((q) => q.name));
    const deadline = within(left());
    const outcomes = await Promise.all(
      actions.map(async (a) => {
        try {
          await i.client.setPaused(a.queue, false, deadline);
          i.onResumed(a);
          settle(a.queue, true);
          return undefined;
        } catch (e) {
          // Absent from the answer and refused as a bad request: the server has no such queue.
          if (look && !listed.has(a.queue) && e instanceof ImmichError && e.kind === "bad-request") {
            settle(a.queue, false);
            result.notOnServer.push(a.queue);
            return undefined;
          }
          lastError.set(a.queue, why(e));
          if (mayHaveLanded(e)) unanswered.add(a.queue);
          else unanswered.delete(a.queue);
          return a.queue;
        }
      }),
    );
    return outcomes.filter((q): q is string => q !== undefined);
  }
}

/** What the clean-up did, in one line (two when the server lacks some queue). */
export function sayExit(log: Log, r: ExitCleanupResult): void {
  if (r.notOnServer.length > 0) {
    const one = r.notOnServer.length === 1;
    log.warn(
      `${r.notOnServer.join(", ")}: this Immich server does not have ${one ? "it" : "them"} (absent from its answer, and the resume refused as unknown), so nothing of ${one ? "it" : "them"} is left paused; ` +
        `the state file keeps ${one ? "it" : "them"} as paused by the daemon in case ${one ? "it comes" : "they come"} back`,
      { queues: r.notOnServer },
    );
  }
  if (r.failed.length === 0) {
    const n = new Set(r.resumed).size;
    log.info(`exiting; resumed ${n} queue${n === 1 ? "" : "s"} the daemon had paused`);
    return;
  }
  const still = r.failed.filter((f) => !f.unconfirmed).map((f) => f.queue);
  const maybe = r.failed.filter((f) => f.unconfirmed).map((f) => f.queue);
  const reasons = [...new Set(r.failed.map((f) => f.error))].join("; ");
  const named = [
    ...(still.length ? [`${still.join(", ")} still paused`] : []),
    // Never "still paused": the resume went out and may have landed.
    ...(maybe.length ? [`${maybe.join(", ")} perhaps paused (${maybe.length === 1 ? "its resume was" : "their resumes were"} sent but not answered)`] : []),
  ].join(" and ");
  log.error(
    `exiting with ${named}: could not confirm ${r.failed.length === 1 ? "it" : "them"} resumed (${reasons}); run \`immich-job-daemon resume-all\` once Immich answers`,
    { queues: r.failed.map((f) => f.queue) },
  );
}

/**
 * Whether a failed resume may still have been applied: it went out and no
 * answer came back (aborted, timed out, the connection broke while reading).
 * An answer with an error status was a refusal; a connection that could not
 * be opened sent nothing.
 */
function mayHaveLanded(e: unknown): boolean {
  if (!(e instanceof ImmichError)) return true; // an abort: the request was on its way
  if (e.status !== undefined) return false;
  return !(e.kind === "unreachable" && e.message.startsWith("cannot reach"));
}

function message(e: unknown): string {
  if (typeof e === "object" && e !== null && "message" in e) return String((e as { message: unknown }).message);
  return String(e);
}
