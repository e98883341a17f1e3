// The owner's commands (DESIGN.md §2 rule 16) as pure changes of the control
// state (control.ts), each with the sentence that says what will happen, or
// the one problem that refuses it. The status server's API and the command
// line both end here, so they accept and refuse the same things in the same
// words. Refused: a queue the daemon does not manage (it never touches one),
// "missing" for a queue Immich cannot start or this server lacks, an N out
// of range.

import type { Asked, ControlState } from "./control.ts";
import { KNOWN_QUEUES, MISSING_QUEUES } from "./queues.ts";
import { formatWall } from "./windows.ts";
import { offsetAt } from "./zone.ts";

export type ControlCommand =
  | { kind: "hold"; queue?: string; until: number }
  | { kind: "release"; queue?: string }
  | { kind: "set-n"; n: number; until: number }
  | { kind: "resume-all" }
  | { kind: "missing"; queue: string };

export interface CommandContext {
  asked: Asked;
  /** MANAGED_QUEUES, highest priority first. */
  managed: readonly string[];
  /** MAX_CONCURRENT_JOBS. */
  configuredN: number;
  /** TZ: the clock "until 07:00" is read on and answers are written in. */
  zone: string;
  /** The queues the server listed at the latest look, when there was one. */
  serverQueues?: readonly string[];
}

/** What will happen, as a code and its parameters (the page says it in the reader's language) and as an English sentence. */
export interface Effect {
  code: "hold-all" | "hold-queue" | "release-all" | "release-queue" | "set-n" | "resume-all" | "missing" | "nothing";
  params: Record<string, string | number | boolean>;
  message: string;
}

export type CommandResult = { ok: true; state: ControlState; effect: Effect } | { ok: false; problem: string };

/** The highest N a temporary one may be (MAX_CONCURRENT_JOBS's own bound). */
export const MAX_N = 1000;

/** "Sun 07:00 (Europe/Berlin)". */
export const formatUntil = (t: number, zone: string): string => `${formatWall(t, offsetAt(zone, t))} (${zone})`;

export function applyCommand(state: ControlState, cmd: ControlCommand, ctx: CommandContext): CommandResult {
  const { asked } = ctx;
  const until = (t: number) => formatUntil(t, ctx.zone);
  const notManaged = (q: string): CommandResult | undefined =>
    ctx.managed.includes(q)
      ? undefined
      : // A name Immich never had is not echoed: it may be a secret pasted into the wrong field.
        { ok: false, problem: `${KNOWN_QUEUES.includes(q) ? JSON.stringify(q) : "that name"} is not a managed queue (MANAGED_QUEUES: ${ctx.managed.join(", ")}); the daemon never touches any other` };

  switch (cmd.kind) {
    case "hold": {
      // A hold means the daemon acts again: it ends "stop managing".
      const { handsOff: _, ...rest } = state;
      const back = state.handsOff ? " The daemon manages the queues again (stop managing ended)." : "";
      if (cmd.queue === undefined) {
        return ok({ ...rest, all: { ...asked, until: cmd.until } }, "hold-all", { until: cmd.until },
          `every managed queue will be paused gracefully (running jobs finish first) and nothing started until ${until(cmd.until)}; release ends it sooner.${back}`);
      }
      const refused = notManaged(cmd.queue);
      if (refused) return refused;
      return ok({ ...rest, queues: { ...state.queues, [cmd.queue]: { ...asked, until: cmd.until } } }, "hold-queue", { queue: cmd.queue, until: cmd.until },
        `${cmd.queue} will be paused gracefully (its running jobs finish first) and not started until ${until(cmd.until)}; the other queues go on within the cap.${back}`);
    }
    case "release": {
      if (cmd.queue === undefined) {
        const had = !!(state.all || state.n || state.handsOff || Object.keys(state.queues ?? {}).length);
        const { missing } = state;
        return ok(missing?.length ? { missing } : {}, had ? "release-all" : "nothing", { n: ctx.configuredN },
          had
            ? `every hold, the temporary N and stop managing are over: back to the configured schedule (N=${ctx.configuredN}); queues a person paused in Immich stay paused`
            : "nothing was held; the configured schedule goes on");
      }
      const refused = notManaged(cmd.queue);
      if (refused) return refused;
      const { [cmd.queue]: had, ...others } = state.queues ?? {};
      const next: ControlState = { ...state, queues: others };
      if (Object.keys(others).length === 0) delete next.queues;
      const still = state.all ? ` Every managed queue is still held until ${until(state.all.until)}: release without a queue ends that.` : "";
      return ok(next, had ? "release-queue" : "nothing", { queue: cmd.queue, ...(state.all ? { allUntil: state.all.until } : {}) },
        (had ? `${cmd.queue} is no longer held: it runs again when its turn comes within the cap.` : `${cmd.queue} was not held.`) + still);
    }
    case "set-n": {
      if (!Number.isInteger(cmd.n) || cmd.n < 1 || cmd.n > MAX_N) return { ok: false, problem: `N must be a whole number from 1 to ${MAX_N}, not ${JSON.stringify(cmd.n)}` };
      const { handsOff: _, ...rest } = state;
      return ok({ ...rest, n: { ...asked, n: cmd.n, until: cmd.until } }, "set-n", { n: cmd.n, configured: ctx.configuredN, until: cmd.until },
        `at most ${cmd.n} managed queue${cmd.n === 1 ? "" : "s"} will run at once until ${until(cmd.until)}, then ${ctx.configuredN} again (MAX_CONCURRENT_JOBS)` +
          (cmd.n < ctx.configuredN ? "; the queues over the cap are paused gracefully (their running jobs finish)" : ""));
    }
    case "resume-all": {
      const { missing } = state;
      return ok({ ...(missing?.length ? { missing } : {}), handsOff: asked }, "resume-all", {},
        "every queue the daemon paused or holds will be resumed now, and the daemon will pause or resume nothing more until release (it keeps watching); holds and the temporary N are over");
    }
    case "missing": {
      const refused = notManaged(cmd.queue);
      if (refused) return refused;
      if (!MISSING_QUEUES.includes(cmd.queue)) {
        return { ok: false, problem: `Immich cannot queue missing jobs for ${cmd.queue}; it can for ${MISSING_QUEUES.filter((q) => ctx.managed.includes(q)).join(", ")}` };
      }
      if (ctx.serverQueues && !ctx.serverQueues.includes(cmd.queue)) {
        return { ok: false, problem: `this Immich server has no queue ${cmd.queue}` };
      }
      if (state.missing?.some((m) => m.queue === cmd.queue)) {
        return ok(state, "missing", { queue: cmd.queue }, `already asked: Immich will be asked to queue ${cmd.queue}'s missing jobs once the queue has no active job`);
      }
      return ok({ ...state, missing: [...(state.missing ?? []), { ...asked, queue: cmd.queue }] }, "missing", { queue: cmd.queue },
        `Immich will be asked to queue ${cmd.queue}'s missing jobs (as the admin page's "Missing" button does) at the next look once the queue has no active job; the daemon then runs them within the cap`);
    }
  }
}

function ok(state: ControlState, code: Effect["code"], params: Effect["params"], message: string): CommandResult {
  return { ok: true, state, effect: { code, params, message } };
}
