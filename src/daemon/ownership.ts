// What the daemon remembers that the server cannot tell: which pauses are its
// own (core/reconcile.ts). Loaded from the state store at start (only queues
// MANAGED_QUEUES names survive), and saved whenever it changes; a store that
// cannot be written is a warning, never the daemon's end.

import { onlyManaged } from "../core/managed-only.ts";
import type { Ownership, Policy } from "../core/types.ts";
import { emptyOwnership } from "../core/types.ts";
import type { Log } from "./log.ts";
import { saveOwnership, type StateStore } from "./state-file.ts";

export class OwnershipKeeper {
  private ownership: Ownership = emptyOwnership();
  /** Whether the store held ownership at start (then paused queues are not adopted as the daemon's own). */
  readonly loaded: boolean = false;

  constructor(
    private readonly store: StateStore,
    private readonly log: Log,
    policy: Policy,
  ) {
    const loaded = store.load();
    if (loaded.problem) log.warn(loaded.problem);
    if (loaded.ownership) {
      // Rule 5 over memory: a file from another configuration never leads to a command.
      const { ownership, dropped } = onlyManaged(loaded.ownership, policy.priority);
      if (dropped.length > 0) {
        log.warn(
          `the state file names ${dropped.join(", ")}, which MANAGED_QUEUES does not (a file from another configuration?); ` +
            `dropping ${dropped.length === 1 ? "it" : "them"}: the daemon never pauses or resumes a queue it does not manage`,
          { queues: dropped },
        );
      }
      this.ownership = ownership;
      this.loaded = true;
    }
  }

  get current(): Ownership {
    return this.ownership;
  }

  /** Adopt `ownership` without saving it (a dry run keeps it in memory only). */
  set(ownership: Ownership) {
    this.ownership = ownership;
  }

  /** Adopt `ownership` and save it when it changed. */
  keep(ownership: Ownership) {
    const changed = JSON.stringify(ownership) !== JSON.stringify(this.ownership);
    this.ownership = ownership;
    if (changed) this.save(ownership);
  }

  /** A state file that cannot be written is worth a warning, never the daemon's end. */
  save(ownership: Ownership) {
    const problem = saveOwnership(this.store, ownership);
    if (problem) this.log.warn(problem);
  }
}
