// The exit clean-up (DESIGN.md §2 rule 9): resume every queue the daemon
// paused, within a budget of real time (EXIT_TIMEOUT) that fits inside the
// stop timeouts the daemon ships with, so a slow Immich still gets its
// resumes before the supervisor's SIGKILL. Resumes go out together, not one
// after another. A resume that failed is only a failure once the server
// confirms the queue is still paused, or the budget is spent: a resume that
// timed out may well have landed (issue 7: 1 s of latency per request turned
// a clean stop into exit 7 under the old fixed 1.5 s budget). A second
// signal (`force`) cuts it short; whatever is then still paused is named.

import { exitActions } from "../core/decide.ts";
import type { Action, Observation, Ownership } from "../core/types.ts";
import type { ImmichClient } from "../immich/index.ts";

export interface ExitCleanupInput {
  client: Pick<ImmichClient, "connect" | "observe" | "setPaused">;
  ownership: Ownership;
  /** Real milliseconds for the whole clean-up. */
  budgetMs: number;
  /** Aborted by a second signal: stop at once. */
  force?: AbortSignal;
  /** Whether this process has connected (an API family is known); if not, it connects first. */
  connected: boolean;
  /** Told of every resume the server accepted. */
  onResumed: (action: Action) => void;
  /** Real time, injected for tests; performance.now() by default. */
  now?: () => number;
}

export interface ExitCleanupResult {
  resumed: string[];
  /** Still paused (or not known to be resumed) when the clean-up ended, and why. */
  failed: { queue: string; error: string }[];
}

/** At most this many rounds of resume, then look, then resume what is still paused. */
const ROUNDS = 3;

export async function resumeOwnPauses(i: ExitCleanupInput): Promise<ExitCleanupResult> {
  const now = i.now ?? (() => performance.now());
  const started = now();
  const left = () => Math.max(1, i.budgetMs - (now() - started));
  const within = (ms: number) => AbortSignal.any([AbortSignal.timeout(Math.max(1, Math.round(ms))), ...(i.force ? [i.force] : [])]);
  const why = (e: unknown) =>
    i.force?.aborted ? "stopped by a second signal" : now() - started >= i.budgetMs ? `no answer within EXIT_TIMEOUT (${i.budgetMs / 1000} s)` : message(e);

  const held = new Set(i.ownership.held);
  const ours = i.ownership.pausedByUs.filter((q) => !held.has(q));
  if (ours.length === 0) return { resumed: [], failed: [] };
  const mine: Ownership = { ...i.ownership, pausedByUs: ours };

  if (!i.connected) {
    try {
      await i.client.connect(within(left() / 2), { checkWrite: false });
    } catch (e) {
      const error = i.force?.aborted ? "stopped by a second signal" : `Immich did not answer (${message(e)})`;
      return { resumed: [], failed: ours.map((queue) => ({ queue, error })) };
    }
  }

  const resumed: string[] = [];
  const lastError = new Map<string, string>();
  const look = (share: number): Promise<Observation | undefined> =>
    i.client.observe(within(left() * share)).catch(() => undefined);

  // A fresh look first (a third of the budget at most): without it, resume
  // every queue the daemon paused blindly (a resume is idempotent).
  const first = await look(1 / 3);
  let todo = exitActions(first, mine);
  // Recorded as paused but running on the server (a resume that landed as the
  // stop came, before its answer confirmed it): nothing is left paused there.
  if (first) for (const q of ours) if (!todo.some((a) => a.queue === q)) resumed.push(q);
  for (let round = 1; todo.length > 0; round++) {
    const deadline = within(left());
    const outcomes = await Promise.all(
      todo.map(async (a) => {
        try {
          await i.client.setPaused(a.queue, false, deadline);
          i.onResumed(a);
          return { a, ok: true as const };
        } catch (e) {
          return { a, ok: false as const, error: why(e) };
        }
      }),
    );
    for (const o of outcomes) {
      if (o.ok) resumed.push(o.a.queue);
      else lastError.set(o.a.queue, o.error);
    }
    const failed = outcomes.filter((o) => !o.ok).map((o) => o.a.queue);
    if (failed.length === 0 || i.force?.aborted || round >= ROUNDS || now() - started >= i.budgetMs) {
      todo = todo.filter((a) => failed.includes(a.queue));
      break;
    }
    // A failed resume may have landed: what the server says settles it.
    const check = await look(1 / 2);
    const again = exitActions(check, { ...mine, pausedByUs: failed });
    if (check) for (const q of failed) if (!again.some((a) => a.queue === q)) resumed.push(q);
    todo = again;
  }
  return { resumed, failed: todo.map((a) => ({ queue: a.queue, error: lastError.get(a.queue) ?? "not resumed" })) };
}

function message(e: unknown): string {
  if (typeof e === "object" && e !== null && "message" in e) return String((e as { message: unknown }).message);
  return String(e);
}
