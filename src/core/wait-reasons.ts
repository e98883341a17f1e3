// Why a managed queue with pending work is not running, in one sentence, for
// `status` and the status page: a person (or a tool such as immich-go) paused
// it, something keeps it back (the owner's hold, a closed window, the ML gate,
// pressure, a tool's hold on its set), or it waits for a slot. A person reading
// `status` should not have to work it out from the OWNER column. Each reason
// is also data (a code and its parameters), so that the page can say it in
// the reader's language; the English sentence is for `status` and the logs.

import { occupiesSlot, pending } from "./counts.ts";
import type { Decision, Observation } from "./types.ts";

export interface WaitReason {
  /** held: a person paused it; turn: it waits for a slot; otherwise the block's code (blockers.ts). */
  code: "held" | "turn" | "window-closed" | "ml-down" | "pressure" | "owner-hold";
  params: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  /** The English sentence. */
  text: string;
}

/** Queue name → why it waits; only paused managed queues with pending work that nothing will resume now. */
export function waitReasons(observation: Observation, decision: Decision, maxConcurrent: number): Map<string, WaitReason> {
  const n = decision.n ?? maxConcurrent;
  const views = new Map(decision.queues.map((v) => [v.name, v]));
  const resuming = new Set(decision.actions.filter((a) => a.kind === "resume").map((a) => a.queue));
  const holders = decision.queues.filter((v) => v.managed && v.occupiesSlot).map((v) => v.name);
  const out = new Map<string, WaitReason>();
  for (const q of observation.queues) {
    const v = views.get(q.name);
    if (!v?.managed || !q.isPaused || pending(q) === 0 || resuming.has(q.name)) continue;
    const block = v.blocks?.[0];
    if (v.held) {
      out.set(q.name, {
        code: "held",
        params: {},
        text: "paused by someone else (a person, or a tool such as immich-go during an upload); the daemon will not resume it until someone else does",
      });
    } else if (block) {
      out.set(q.name, { code: block.code, params: block.params ?? {}, text: block.detail });
    } else if (!occupiesSlot(q)) {
      const by = holders.length ? ` (${holders.join(", ")})` : "";
      out.set(q.name, {
        code: "turn",
        params: { used: holders.length, n, holders },
        text: `its turn: ${holders.length} of ${n} slot${n === 1 ? "" : "s"} in use${by}, higher priority first`,
      });
    }
  }
  return out;
}
