// The loop's "act" step: send the decided pauses and resumes one by one and
// settle ownership with each answer. Ownership was recorded before sending (a
// lost answer is still ours); a confirmed command confirms it, a refusal (4xx)
// withdraws it, and a fatal refusal withdraws what was never sent.

import { confirmAction, withdrawAction } from "../core/reconcile.ts";
import type { Action } from "../core/types.ts";
import { classify, FatalError, type ImmichApi } from "./immich-api.ts";
import type { ControlKeeper } from "./control-keeper.ts";
import type { Log } from "./log.ts";
import type { OwnershipKeeper } from "./ownership.ts";

export interface ActionResult {
  action: Action;
  ok: boolean;
  error?: string;
}

/** Error kinds of a command the server answered with a refusal (4xx): certainly not applied. */
const REFUSED = new Set(["unauthorized", "forbidden", "missing-scope", "bad-request"]);

export interface Sender {
  client: Pick<ImmichApi, "setPaused" | "startMissing">;
  log: Log;
  /** MANAGED_QUEUES: nothing else is ever sent. */
  managed: ReadonlySet<string>;
  owner: OwnershipKeeper;
}

/** Sends `actions` in order; stops at an abort (the exit clean-up observes afresh) or a fatal refusal (rethrown). */
export async function sendAll(s: Sender, actions: Action[], signal?: AbortSignal): Promise<ActionResult[]> {
  const results: ActionResult[] = [];
  for (const [i, action] of actions.entries()) {
    // On a stop the rest is left to the exit clean-up, which observes afresh.
    if (signal?.aborted) break;
    try {
      results.push(await send(s, action, signal));
    } catch (e) {
      // A fatal refusal ends the daemon: what was never sent is not claimed.
      s.owner.keep(actions.slice(i + 1).reduce(withdrawAction, s.owner.current));
      throw e;
    }
  }
  return results;
}

async function send(s: Sender, action: Action, signal?: AbortSignal): Promise<ActionResult> {
  const verb = action.kind === "pause" ? "paused" : "resumed";
  // Rule 5, enforced where commands leave: whatever decided it, a queue
  // outside MANAGED_QUEUES is never paused or resumed.
  if (!s.managed.has(action.queue)) {
    s.log.error(`internal error: refusing to ${action.kind} ${action.queue}, which MANAGED_QUEUES does not name; please report it`);
    return { action, ok: false, error: "not managed" };
  }
  try {
    await s.client.setPaused(action.queue, action.kind === "pause", signal);
    s.owner.keep(confirmAction(s.owner.current, action));
    s.log.info(`${verb} ${action.queue}: ${action.detail}`, { action: action.kind, queue: action.queue, reason: action.reason });
    return { action, ok: true };
  } catch (e) {
    const err = classify(e);
    // A stop while the command was in flight: the server may have applied it; ownership
    // was recorded before sending and the exit clean-up looks again.
    if (signal?.aborted) return { action, ok: false, error: "stopping" };
    if (REFUSED.has(err.kind)) s.owner.keep(withdrawAction(s.owner.current, action));
    if (!err.transient && err.kind !== "bad-request") throw new FatalError(err);
    s.log.warn(`could not ${action.kind} ${action.queue}: ${err.message}; deciding again next cycle`, { action: action.kind, queue: action.queue, kind: err.kind });
    return { action, ok: false, error: err.message };
  }
}

/**
 * The owner's "run missing" (rule 16): asks Immich to queue each queue's
 * missing jobs. Done (the request dropped) when Immich accepts or refuses it
 * (a 4xx: said once, with Immich's reason); kept for the next look when
 * Immich could not answer.
 */
export async function sendMissing(s: Sender, control: Pick<ControlKeeper, "missingDone">, queues: readonly string[], signal?: AbortSignal): Promise<void> {
  for (const queue of queues) {
    if (signal?.aborted) return;
    if (!s.managed.has(queue)) {
      control.missingDone(queue);
      continue;
    }
    if (!s.client.startMissing) {
      s.log.warn(`cannot ask Immich to queue ${queue}'s missing jobs: this client cannot send the start command`);
      control.missingDone(queue);
      continue;
    }
    try {
      await s.client.startMissing(queue, signal);
      s.log.info(`asked Immich to queue ${queue}'s missing jobs (the start command with force:false, as the owner asked); they run within the cap`, { action: "missing", queue });
      control.missingDone(queue);
    } catch (e) {
      const err = classify(e);
      if (signal?.aborted) return;
      if (REFUSED.has(err.kind)) {
        s.log.warn(`Immich refused to queue ${queue}'s missing jobs: ${err.message}`, { action: "missing", queue, kind: err.kind });
        control.missingDone(queue);
      } else {
        s.log.warn(`could not ask Immich to queue ${queue}'s missing jobs: ${err.message}; asking again next cycle`, { action: "missing", queue, kind: err.kind });
      }
    }
  }
}
