// Writing job concurrency into Immich's system config without touching
// anything else (DESIGN.md §2 rule 15, TUNE_CONCURRENCY). Immich's
// `PUT /api/system-config` takes the whole object, so every write is a read,
// a change of only `job.<queue>.concurrency` of the tuned queues, and a write
// back of the rest as read. Pure: the loop hands in what it read and
// remembers, and gets back what to write, or why not to.
// - The owner's values are the baseline, kept (in the state file) before the
//   first write; on exit they come back.
// - A tuned queue whose value on the server is neither what the daemon last
//   wrote nor (before any write) the baseline was changed by a person: their
//   value becomes the baseline and the daemon leaves that queue alone until
//   it restarts (rule 8's spirit).
// - If anything else in the config changed since the previous read (someone
//   is editing the settings), nothing is written that cycle.

import { dict, own } from "../shared/dict.ts";

/** What the daemon keeps about tuning, in the state file's `tuning` key. */
export interface TuningRecord {
  /** The owner's values per tuned queue (the baseline). */
  baseline: Record<string, number>;
  /** What the server should hold now per tuned queue: the daemon's last write, or the baseline. */
  expected: Record<string, number>;
}

/** The system config as far as this module reads it: `job.<queue>.concurrency`; the rest is carried as is. */
export type SystemConfig = { job: Record<string, { concurrency: number } & Record<string, unknown>> } & Record<string, unknown>;

/** Queues whose concurrency Immich ignores (always 1, API.md): never tuned. */
export const FIXED_CONCURRENCY: readonly string[] = ["facialRecognition", "storageTemplateMigration", "duplicateDetection", "backupDatabase"];

/** Each managed queue's concurrency in `config`, for the queues that have a configurable one. */
export function jobConcurrency(config: SystemConfig, managed: readonly string[]): Record<string, number> {
  const out = dict<number>();
  for (const q of managed) {
    if (FIXED_CONCURRENCY.includes(q)) continue;
    const c = Object.hasOwn(config.job, q) ? config.job[q]?.concurrency : undefined;
    if (typeof c === "number" && Number.isInteger(c) && c >= 1) out[q] = c;
  }
  return out;
}

/** The config with every tuned queue's concurrency blanked: what must not change between two reads. */
function rest(config: SystemConfig, queues: Iterable<string>): string {
  const job = dict<unknown>(Object.entries(config.job));
  for (const q of queues) if (Object.hasOwn(job, q)) job[q] = { ...config.job[q], concurrency: null };
  return stableJson({ ...config, job });
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** Whether anything but the `queues`' concurrency differs between two reads (someone is editing the settings). */
export const changedBesides = (previous: SystemConfig, read: SystemConfig, queues: Iterable<string>): boolean => {
  const q = [...queues];
  return rest(previous, q) !== rest(read, q);
};

export interface PersonChange {
  queue: string;
  /** What the daemon expected there. */
  expected: number;
  /** What a person set: the new baseline. */
  found: number;
}

export interface PlanInput {
  /** The config just read. */
  read: SystemConfig;
  /** The previous read, if any (to see whether anything else changed meanwhile). */
  previous?: SystemConfig;
  /** What is kept; undefined before the first write. */
  record?: TuningRecord;
  /** Queues left alone after a person's change (until restart). */
  leftAlone: readonly string[];
  /** The concurrency each tuned queue should have (the controller's). */
  targets: Record<string, number>;
}

export interface Plan {
  /** The whole config to PUT, with only tuned concurrencies changed; absent: nothing to write. */
  write?: SystemConfig;
  /** The record to keep (before sending the write). */
  record: TuningRecord;
  /** Queues a person changed since the daemon's last write: left alone from now on. */
  personChanged: PersonChange[];
  /** Something else in the config changed since the previous read: nothing is written this cycle. */
  othersChanged: boolean;
}

export function planWrite(i: PlanInput): Plan {
  // Keyed by queue names, which are data (issue 16 item 4): prototype-less, read with own().
  const record: TuningRecord = { baseline: dict(Object.entries(i.record?.baseline ?? {})), expected: dict(Object.entries(i.record?.expected ?? {})) };
  const personChanged: PersonChange[] = [];
  const onServer = (q: string) => (Object.hasOwn(i.read.job, q) ? i.read.job[q]?.concurrency : undefined);
  for (const [q, expected] of Object.entries(record.expected)) {
    const found = onServer(q);
    if (typeof found === "number" && found !== expected) {
      personChanged.push({ queue: q, expected, found });
      record.baseline[q] = found;
      record.expected[q] = found;
    }
  }
  const alone = new Set([...i.leftAlone, ...personChanged.map((p) => p.queue)]);
  const tuned = new Set([...Object.keys(record.expected), ...Object.keys(i.targets)]);
  const othersChanged = i.previous !== undefined && changedBesides(i.previous, i.read, tuned);
  if (othersChanged || personChanged.length > 0) return { record, personChanged, othersChanged };

  const job = dict(Object.entries(i.read.job));
  let changed = false;
  for (const [q, target] of Object.entries(i.targets)) {
    const found = onServer(q);
    if (alone.has(q) || typeof found !== "number") continue;
    // The baseline is what the server held before the daemon's first change to that queue.
    if (own(record.baseline, q) === undefined) {
      record.baseline[q] = found;
      record.expected[q] = found;
    }
    const to = Math.max(1, Math.min(target, record.baseline[q]!));
    if (to === found) continue;
    job[q] = { ...i.read.job[q]!, concurrency: to };
    record.expected[q] = to;
    changed = true;
  }
  return changed ? { write: { ...i.read, job }, record, personChanged, othersChanged } : { record, personChanged, othersChanged };
}

/**
 * Putting the owner's values back (exit, signals, `resume-all`): each queue
 * the daemon changed whose value is still the daemon's goes back to its
 * baseline; a value a person set since is theirs and stays.
 */
export function planRestore(read: SystemConfig, record: TuningRecord): { write?: SystemConfig; restored: { queue: string; from: number; to: number }[]; leftAlone: PersonChange[] } {
  const job = dict(Object.entries(read.job));
  const restored: { queue: string; from: number; to: number }[] = [];
  const leftAlone: PersonChange[] = [];
  for (const [q, baseline] of Object.entries(record.baseline)) {
    const found = Object.hasOwn(read.job, q) ? read.job[q]?.concurrency : undefined;
    if (typeof found !== "number" || found === baseline) continue;
    if (found !== own(record.expected, q)) {
      leftAlone.push({ queue: q, expected: own(record.expected, q) ?? baseline, found });
      continue;
    }
    job[q] = { ...read.job[q]!, concurrency: baseline };
    restored.push({ queue: q, from: found, to: baseline });
  }
  return restored.length > 0 ? { write: { ...read, job }, restored, leftAlone } : { restored, leftAlone };
}

/** Whether the record still has something to restore (a queue whose expected value differs from its baseline). */
export const needsRestore = (r: TuningRecord | undefined): boolean =>
  r !== undefined && Object.entries(r.expected).some(([q, v]) => own(r.baseline, q) !== v);
