// Rule 5 applied to memory: what the daemon owns only ever names queues it
// manages now. A state file written under another configuration may list a
// queue that is no longer managed (issue 7: a stale `notifications` entry
// made the exit resume a queue a person had paused); such entries are
// dropped, and said, before they can lead to any command.

import type { Ownership } from "./types.ts";

export function onlyManaged(owned: Ownership, managed: readonly string[]): { ownership: Ownership; dropped: string[] } {
  const keep = new Set(managed);
  const dropped = new Set<string>();
  const filter = (list: readonly string[]) =>
    list.filter((q) => {
      if (keep.has(q)) return true;
      dropped.add(q);
      return false;
    });
  return {
    ownership: { pausedByUs: filter(owned.pausedByUs), runningByUs: filter(owned.runningByUs), held: filter(owned.held) },
    dropped: [...dropped],
  };
}
