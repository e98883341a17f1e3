// What the daemon owns, kept across restarts (DESIGN.md §2 rule 8): which
// queues it paused, which it runs, which a person holds. Written atomically
// (temporary file, then rename) so a crash never leaves half a file; a file
// that cannot be read or parsed is reported and ignored, never fatal.

import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { ControlState } from "../core/control.ts";
import { emptyOwnership, type Ownership } from "../core/types.ts";
import { isState } from "../generated/checks.ts";
import { writeFileAtomic } from "../shared/atomic-write.ts";
import type { State } from "./file-schemas.ts";

export interface StateStore {
  /** The saved ownership and owner's instructions, `undefined` when there are none, or a problem to report. */
  load(): { ownership?: Ownership; control?: ControlState; problem?: string };
  /** Saves the ownership; the instructions saved last are kept beside it. */
  save(ownership: Ownership): void;
  /** Saves the owner's instructions; the ownership saved last is kept beside them. */
  saveControl(control: ControlState): void;
}

/** A state file at `path`, for the server at `immichUrl` (a file for another server is ignored). */
export function fileStateStore(path: string, immichUrl: string): StateStore {
  // Both halves of the file, as last loaded or saved: saving one keeps the other.
  let ownership: Ownership | undefined;
  let control: ControlState | undefined;
  const write = () => {
    const state: State = { version: 1, immichUrl, ...(ownership ?? emptyOwnership()), ...(control && Object.keys(control).length ? { control } : {}) };
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, JSON.stringify(state, null, 2) + "\n", { pid: process.pid, mode: 0o600 });
  };
  return {
    load() {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
        return { problem: `cannot read STATE_FILE ${path}: ${(e as Error).message}` };
      }
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        return { problem: `STATE_FILE ${path} is not valid JSON; ignoring it` };
      }
      if (!isState(data)) {
        return { problem: `STATE_FILE ${path} is not a state file of this daemon; ignoring it` };
      }
      if (data.immichUrl !== immichUrl) {
        return { problem: `STATE_FILE ${path} is for ${data.immichUrl}, not ${immichUrl}; ignoring it` };
      }
      ownership = { pausedByUs: data.pausedByUs, runningByUs: data.runningByUs, held: data.held };
      control = data.control;
      return { ownership, ...(data.control ? { control: data.control } : {}) };
    },
    save(o) {
      ownership = o;
      write();
    },
    saveControl(c) {
      control = c;
      write();
    },
  };
}

/**
 * Saves, and returns one line to warn with if that failed (a full disk, a
 * read-only directory): losing the file only costs telling the daemon's
 * pauses from a person's after a restart, never worth stopping for.
 */
export function saveOwnership(store: StateStore, ownership: Ownership): string | undefined {
  try {
    store.save(ownership);
    return undefined;
  } catch (e) {
    return `could not write the state file: ${e instanceof Error ? e.message : String(e)}; make STATE_FILE's directory writable`;
  }
}

/** No state file: ownership lives only in memory. */
export const memoryStateStore = (): StateStore & { saved?: Ownership; savedControl?: ControlState } => {
  const store: StateStore & { saved?: Ownership; savedControl?: ControlState } = {
    load: () => ({ ...(store.saved ? { ownership: store.saved } : {}), ...(store.savedControl ? { control: store.savedControl } : {}) }),
    save: (o) => {
      store.saved = o;
    },
    saveControl: (c) => {
      store.savedControl = c;
    },
  };
  return store;
};
