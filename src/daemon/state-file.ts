// What the daemon owns, kept across restarts (DESIGN.md §2 rule 8): which
// queues it paused, which it runs, which a person holds. Written atomically
// (temporary file, then rename) so a crash never leaves half a file; a file
// that cannot be read or parsed is reported and ignored, never fatal.

import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { TuningRecord } from "../core/concurrency-config.ts";
import type { Ownership } from "../core/types.ts";
import { isState } from "../generated/checks.ts";
import { writeFileAtomic } from "../shared/atomic-write.ts";
import type { State } from "./file-schemas.ts";

export interface StateStore {
  /** The saved ownership, `undefined` when there is none, or a problem to report. */
  load(): { ownership?: Ownership; problem?: string; tuning?: TuningRecord };
  save(ownership: Ownership): void;
  /**
   * Keeps (or, undefined, forgets) the owner's job concurrency (rule 15),
   * beside the ownership; throws like save when the file cannot be written.
   */
  saveTuning?(tuning: TuningRecord | undefined): void;
  /** What saveTuning kept, or the file held at load. */
  tuning?(): TuningRecord | undefined;
}

/** A state file at `path`, for the server at `immichUrl` (a file for another server is ignored). */
export function fileStateStore(path: string, immichUrl: string): StateStore {
  // Both halves of the file: each save writes the other as last known.
  let ownership: Ownership | undefined;
  let tuning: TuningRecord | undefined;
  let loaded = false;
  const write = () => {
    const state: State = { version: 1, immichUrl, ...(ownership ?? { pausedByUs: [], runningByUs: [], held: [] }), ...(tuning ? { tuning } : {}) };
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, JSON.stringify(state, null, 2) + "\n", { pid: process.pid, mode: 0o600 });
  };
  const store: StateStore = {
    load() {
      loaded = true;
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
      tuning = data.tuning;
      return { ownership, ...(tuning ? { tuning } : {}) };
    },
    save(o) {
      if (!loaded) store.load(); // never drop the other half unread
      ownership = o;
      write();
    },
    saveTuning(t) {
      if (!loaded) store.load();
      tuning = t;
      write();
    },
    tuning() {
      if (!loaded) store.load();
      return tuning;
    },
  };
  return store;
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
export const memoryStateStore = (): StateStore & { saved?: Ownership; savedTuning?: TuningRecord } => {
  const store: StateStore & { saved?: Ownership; savedTuning?: TuningRecord } = {
    load: () => ({ ...(store.saved ? { ownership: store.saved } : {}), ...(store.savedTuning ? { tuning: store.savedTuning } : {}) }),
    save: (o) => {
      store.saved = o;
    },
    saveTuning: (t) => {
      if (t) store.savedTuning = t;
      else delete store.savedTuning;
    },
    tuning: () => store.savedTuning,
  };
  return store;
};
