// What the daemon owns, kept across restarts (DESIGN.md §2 rule 8): which
// queues it paused, which it runs, which a person holds. Written atomically
// (temporary file, then rename) so a crash never leaves half a file; a file
// that cannot be read or parsed is reported and ignored, never fatal.

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Ownership } from "../core/types.ts";
import { isState } from "../generated/checks.ts";
import { writeFileAtomic } from "../shared/atomic-write.ts";
import { MAX_FILE_BYTES, readFileLimited, TooLarge } from "../shared/bounded-read.ts";
import type { State } from "./file-schemas.ts";

export interface StateStore {
  /** The saved ownership, `undefined` when there is none, or a problem to report. */
  load(): { ownership?: Ownership; problem?: string };
  save(ownership: Ownership): void;
}

/** A state file at `path`, for the server at `immichUrl` (a file for another server is ignored). */
export function fileStateStore(path: string, immichUrl: string): StateStore {
  return {
    load() {
      let text: string;
      try {
        // This daemon writes a few hundred bytes; a huge file is not parsed (20 MB took 1.3 GB).
        text = readFileLimited(path, MAX_FILE_BYTES);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
        if (e instanceof TooLarge) return { problem: `STATE_FILE ${path} is larger than ${MAX_FILE_BYTES / 1024} KB, far more than this daemon writes; ignoring it` };
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
      return { ownership: { pausedByUs: data.pausedByUs, runningByUs: data.runningByUs, held: data.held } };
    },
    save(ownership) {
      const state: State = { version: 1, immichUrl, ...ownership };
      mkdirSync(dirname(path), { recursive: true });
      writeFileAtomic(path, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
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
export const memoryStateStore = (): StateStore & { saved?: Ownership } => {
  const store: StateStore & { saved?: Ownership } = {
    load: () => (store.saved ? { ownership: store.saved } : {}),
    save: (o) => {
      store.saved = o;
    },
  };
  return store;
};
