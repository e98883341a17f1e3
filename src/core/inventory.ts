// Which queues the server has that the daemon does not know (left alone,
// named once: rule 5), and which configured queues the server lacks (a
// warning, not a crash). Notices for the log, apart from decide() so that
// the decision reads as its rules.

import { KNOWN_QUEUES } from "./queues.ts";
import type { Notice, Observation, Policy } from "./types.ts";

/** Queues the server has that the daemon does not know, and configured queues the server lacks. */
export function inventoryNotices(obs: Observation, policy: Policy): Notice[] {
  const present = new Set(obs.queues.map((q) => q.name));
  const out: Notice[] = [];
  for (const q of obs.queues) {
    if (!KNOWN_QUEUES.includes(q.name) && !policy.priority.includes(q.name)) {
      out.push({ level: "info", code: "unknown-queue", queue: q.name, message: `the server has a queue the daemon does not know, ${q.name}; leaving it alone (add it to MANAGED_QUEUES to manage it)` });
    }
  }
  for (const name of policy.priority) {
    if (!present.has(name)) {
      out.push({ level: "warn", code: "missing-queue", queue: name, message: `MANAGED_QUEUES names ${name}, which this Immich server does not have; ignoring it` });
    }
  }
  return out;
}
