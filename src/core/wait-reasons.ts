// Why a managed queue with pending work is not running, in one sentence, for
// `status`: a person (or a tool such as immich-go) paused it, something keeps
// it back (a closed window, the ML gate, pressure, a tool's hold on its set),
// or it waits for a slot. A person reading `status` should not have to work
// it out from the OWNER column.

import { occupiesSlot, pending } from "./decide.ts";
import type { Decision, Observation } from "./types.ts";

/** Queue name → why it waits; only paused managed queues with pending work that nothing will resume now. */
export function waitReasons(observation: Observation, decision: Decision, maxConcurrent: number): Map<string, string> {
  const views = new Map(decision.queues.map((v) => [v.name, v]));
  const resuming = new Set(decision.actions.filter((a) => a.kind === "resume").map((a) => a.queue));
  const holders = decision.queues.filter((v) => v.managed && v.occupiesSlot).map((v) => v.name);
  const out = new Map<string, string>();
  for (const q of observation.queues) {
    const v = views.get(q.name);
    if (!v?.managed || !q.isPaused || pending(q) === 0 || resuming.has(q.name)) continue;
    if (v.held) {
      out.set(
        q.name,
        "paused by someone else (a person, or a tool such as immich-go during an upload); the daemon will not resume it until someone else does",
      );
    } else if (v.blocks?.[0]) {
      out.set(q.name, v.blocks[0].detail);
    } else if (!occupiesSlot(q)) {
      const by = holders.length ? ` (${holders.join(", ")})` : "";
      out.set(q.name, `its turn: ${holders.length} of ${maxConcurrent} slot${maxConcurrent === 1 ? "" : "s"} in use${by}, higher priority first`);
    }
  }
  return out;
}
