// What the daemon owns, kept across restarts (DESIGN.md §2 rule 8): which
// queues it paused, which it runs, which a person holds. Written atomically
// (temporary file, then rename) so a crash never leaves half a file; a file
// that cannot be read or parsed is reported and ignored, never fatal. The
// format's version policy is STATE_VERSION's comment below: a newer format is read for
// what this version understands (a downgrade), with one line saying so.

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { TuningRecord } from "../core/concurrency-config.ts";
import type { ControlState } from "../core/control.ts";
import { emptyOwnership, type Ownership } from "../core/types.ts";
import { isState } from "../generated/checks.ts";
import { writeFileAtomic } from "../shared/atomic-write.ts";
import { MAX_FILE_BYTES, readFileLimited, TooLarge } from "../shared/bounded-read.ts";
import { VERSION } from "../shared/version.ts";
import type { State } from "./file-schemas.ts";

/**
 * The state file's format version this daemon writes.
 *
 * Policy (so an upgrade and a downgrade are both safe):
 * - A key never changes its meaning or shape. Adding an optional top-level
 *   key (issue 18's `control`, issue 19's `tuning`...) is NOT a new format:
 *   every reader skips the keys it does not know, and a file without the key
 *   means "nothing of that kind".
 * - The format is bumped only when a key every reader needs (immichUrl,
 *   pausedByUs, runningByUs, held) is removed or no longer written. A reader
 *   of an older format then finds them missing and ignores the file with a
 *   line saying so.
 * - A reader of format N given a file of a newer format reads what it
 *   understands (the keys of format N, when they are there with their shape)
 *   with one line saying so, and writes format N at the next change: what
 *   only the newer version keeps is dropped then (a downgrade).
 * - A file of an older format is read as it was written (format 1 is the
 *   first); a future format converts older files when it loads them.
 */
export const STATE_VERSION = 1;

/** Every top-level key this version reads (StateSchema's; a test keeps them equal). */
export const STATE_KEYS: readonly string[] = ["version", "writtenBy", "immichUrl", "pausedByUs", "runningByUs", "held", "tuning", "control"];

export interface StateStore {
  /**
   * The saved ownership (and the owner's instructions, rule 16, and the
   * owner's job concurrency, rule 15), `undefined` when there is none; and a
   * problem to warn about: the file was ignored (no ownership), or read only
   * in part (a newer format: ownership and problem both).
   */
  load(): { ownership?: Ownership; control?: ControlState; problem?: string; tuning?: TuningRecord };
  /** Saves the ownership; what else the file keeps is kept beside it. */
  save(ownership: Ownership): void;
  /** Saves the owner's instructions; the rest of the file is kept beside them. */
  saveControl(control: ControlState): void;
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
  // The parts of the file, as last loaded or saved: each save writes the others as last known.
  let ownership: Ownership | undefined;
  let tuning: TuningRecord | undefined;
  let control: ControlState | undefined;
  let loaded = false;
  const write = () => {
    const state: State = {
      version: STATE_VERSION,
      writtenBy: VERSION,
      immichUrl,
      ...(ownership ?? emptyOwnership()),
      ...(tuning ? { tuning } : {}),
      ...(control && Object.keys(control).length ? { control } : {}),
    };
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  };
  const store: StateStore = {
    load() {
      loaded = true;
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
      const format = newerFormat(data);
      const writer = format ? `${format.writtenBy ? `immich-job-daemon ${format.writtenBy}` : "a newer immich-job-daemon"} in state format ${format.version}` : "";
      if (!isState(data)) {
        if (format) {
          return { problem: `STATE_FILE ${path} was written by ${writer}, which this version (${VERSION}, format ${STATE_VERSION}) cannot read: ignoring it; queues paused now are taken as the daemon's own at start` };
        }
        return { problem: `STATE_FILE ${path} is not a state file of this daemon; ignoring it` };
      }
      if (data.immichUrl !== immichUrl) {
        return { problem: `STATE_FILE ${path} is for ${data.immichUrl}, not ${immichUrl}; ignoring it` };
      }
      ownership = { pausedByUs: data.pausedByUs, runningByUs: data.runningByUs, held: data.held };
      // The owner's job concurrency (rule 15), when a tuning daemon kept it: an optional key of format 1.
      tuning = format ? undefined : data.tuning;
      // The owner's instructions (rule 16), likewise.
      control = format ? undefined : data.control;
      const found = { ownership, ...(tuning ? { tuning } : {}), ...(control ? { control } : {}) };
      if (format) {
        return {
          ...found,
          problem:
            `STATE_FILE ${path} was written by ${writer}; this is ${VERSION}, which writes format ${STATE_VERSION}: ` +
            `reading the queues it records (paused, running, held) and nothing else, and rewriting the file in format ${STATE_VERSION} at the next change`,
        };
      }
      // Keys of the same format that a later version added and this one does not know.
      const unknown = Object.keys(data).filter((k) => !STATE_KEYS.includes(k));
      if (unknown.length > 0) {
        const names = unknown.slice(0, 5).map((k) => (/^[A-Za-z0-9_]{1,40}$/.test(k) ? k : "?")).join(", ") + (unknown.length > 5 ? ", ..." : "");
        const by = typeof data.writtenBy === "string" && /^[0-9A-Za-z.+-]{1,64}$/.test(data.writtenBy) ? `immich-job-daemon ${data.writtenBy}` : "another version";
        return {
          ...found,
          problem: `STATE_FILE ${path} holds what this version (${VERSION}) does not know (${names}), written by ${by}: reading the queues it records and dropping the rest at the next change`,
        };
      }
      return found;
    },
    save(o) {
      if (!loaded) store.load(); // never drop the other half unread
      ownership = o;
      write();
    },
    saveControl(c) {
      if (!loaded) store.load();
      control = c;
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

/** A file of a format newer than this version's: its version and writer, as far as they can be told. */
function newerFormat(data: unknown): { version: number; writtenBy?: string } | undefined {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return undefined;
  const { version, writtenBy } = data as { version?: unknown; writtenBy?: unknown };
  if (typeof version !== "number" || !Number.isInteger(version) || version <= STATE_VERSION) return undefined;
  // A writer's version is shown only when it looks like one: the file is not trusted to write the log line.
  return typeof writtenBy === "string" && /^[0-9A-Za-z.+-]{1,64}$/.test(writtenBy) ? { version, writtenBy } : { version };
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
export const memoryStateStore = (): StateStore & { saved?: Ownership; savedTuning?: TuningRecord; savedControl?: ControlState } => {
  const store: StateStore & { saved?: Ownership; savedTuning?: TuningRecord; savedControl?: ControlState } = {
    load: () => ({
      ...(store.saved ? { ownership: store.saved } : {}),
      ...(store.savedTuning ? { tuning: store.savedTuning } : {}),
      ...(store.savedControl ? { control: store.savedControl } : {}),
    }),
    save: (o) => {
      store.saved = o;
    },
    saveControl: (c) => {
      store.savedControl = c;
    },
    saveTuning: (t) => {
      if (t) store.savedTuning = t;
      else delete store.savedTuning;
    },
    tuning: () => store.savedTuning,
  };
  return store;
};
