// The cap follows the host (DESIGN.md §2 rule 15): a pure controller that,
// every look, takes what it remembers, the host's pressure and the time, and
// returns the N to decide with, the job concurrency to give the tuned queues,
// and a reason for each change. The loop applies them (N to decide(), the
// concurrency to Immich's system config); tests, logs and `status` read the
// same object.
//
// The control is that of Netflix's concurrency-limits and Envoy's adaptive
// concurrency, with PSI as the feedback as in Facebook's senpai: slow up,
// fast down.
// - Down: while the pressure stays above the target for DOWN_DWELL, one step
//   down; far above it (FAR times the target) for FAR_DWELL, straight to the
//   lower bound; at NOW times the target or more, after NOW_DWELL (the next
//   look: two looks, never one), and concurrency straight to 1.
//   N first; at N's lower bound, with tuning on, the running queues' job
//   concurrency, one step at a time down to 1 (halved when far above).
// - Up: only once the pressure has stayed under UP_LEVEL of the target (the
//   hysteresis band: between UP_LEVEL and the target nothing moves) for the
//   settle time; concurrency back toward the owner's values first (of a queue
//   that runs), then N by one, and N only while work waits for a slot. The
//   owner's values all come back on exit anyway.
// - No flapping: a change is followed by a dwell before the next one, and a
//   raise undone by a lowering within STRIKE_WINDOW doubles the next raise's
//   settle time (a strike; up to MAX_STRIKES). A raise that holds for
//   STRIKE_WINDOW forgives one strike, and so does STRIKE_DECAY without a
//   new one (the load has changed). Under a steady load that every raise
//   overshoots, the raises space out: 1, 2, 4, 8, then 16 minutes apart.
// - A source that is lost (unreadable, garbage): N at its lower bound and
//   no concurrency raised, until it is back.
// Lowering N never interrupts a job: decide() pauses the lowest-priority
// holders beyond N gracefully (rule 2's cap), as rule 7 does.

import { dict, own } from "../shared/dict.ts";
import type { AutoRange } from "./auto-syntax.ts";
import type { PressureLimits, PressureResource } from "./pressure-syntax.ts";

/** Pressure figures of one look, in percent (share of time some task waited). */
export type PressureFigures = Partial<Record<PressureResource, number>>;

export interface AutoCapSettings {
  range: AutoRange;
  /** MAX_PRESSURE: the level of each resource to stay under. */
  target: PressureLimits;
  /** TUNE_CONCURRENCY: also move the running queues' job concurrency. */
  tune: boolean;
  /** How long the pressure must stay low before a raise; default SETTLE_MS. */
  settleMs?: number;
}

/** A minute: long enough for PSI's 10 s average and a queue's first jobs to show, short enough to use a free host. */
export const SETTLE_MS = 60_000;
/** How long above the target before a step down (and between two steps down). */
export const DOWN_DWELL_MS = 10_000;
/** Far above the target: this many times it. */
export const FAR = 1.5;
/** How long far above the target before going straight to the lower bound: a few looks, not one. */
export const FAR_DWELL_MS = 3_000;
/**
 * Twice the target or more: the host is saturated (on the modelled 2-core
 * host, thumbnailGeneration at its default 3 reads 84 % against 40 %), and
 * the next look, half a second on (the loop reads the pressure that often
 * right after a resume), acts, taking the running queues straight to 1: still
 * two looks, never one, but a queue that saturates the host is lowered within
 * its first second or two instead of after FAR_DWELL (4 s of thumbnails at
 * 84 % was a tenth of the 300-photo import's excess over the target).
 */
export const NOW = 2;
export const NOW_DWELL_MS = 500;

/** How long above the target before a step down: the further above, the sooner (slow up, fast down). */
export function downDwell(ratio: number): number {
  return ratio >= NOW ? NOW_DWELL_MS : ratio >= FAR ? FAR_DWELL_MS : DOWN_DWELL_MS;
}
/** Raise only while the pressure is at most this share of the target (hysteresis). */
export const UP_LEVEL = 0.75;
/** A lowering this soon after a raise is a strike against raising again. */
export const STRIKE_WINDOW_MS = 5 * 60_000;
export const MAX_STRIKES = 4;
/** Strikes are forgotten one per this long without a new one: longer than the longest settle (16 min). */
export const STRIKE_DECAY_MS = 30 * 60_000;

/** A queue whose job concurrency may be tuned (managed, configurable, not left alone after a person's change). */
export interface TunableQueue {
  name: string;
  /** The owner's value: the baseline, never exceeded. */
  owner: number;
  /** Occupies a slot and is not paused: only running queues are lowered. */
  running: boolean;
}

export interface Change {
  /** `n`, or the queue whose concurrency changed. */
  what: "n" | "concurrency";
  queue?: string;
  from: number;
  to: number;
  at: number;
  direction: "up" | "down";
  /** One human sentence: `thumbnailGeneration concurrency 3 → 2: cpu some 71 % above 40 % for 20 s`. */
  reason: string;
}

export interface AutoCapState {
  n: number;
  /** Tuned queues' concurrency, where it differs from the owner's (absent: the owner's value). */
  concurrency: Record<string, number>;
  /** First look of the current stretch above the target. */
  overSince?: number;
  /** First look of the current stretch under UP_LEVEL of the target. */
  underSince?: number;
  /**
   * Since when each tuned queue has been running (seen at every look since).
   * A lowered queue is raised only on evidence measured while it ran: an idle
   * hour under the target says nothing about the next import's load.
   */
  runningSince?: Record<string, number>;
  /** Since when work has waited for a slot (seen at every look since): N's settle time counts from here. */
  waitsSince?: number;
  lastChangeAt?: number;
  lastChange?: Change;
  /** The latest raise, while a lowering soon after would count as a strike. */
  lastRaiseAt?: number;
  strikes: number;
  /** When a strike was last added or forgotten. */
  strikeAt?: number;
  /** The pressure source answered nothing usable at the latest look. */
  sourceLost: boolean;
  /** The latest figures and how they compare with the target (for status). */
  pressure?: PressureFigures;
}

export const startingAutoCap = (range: AutoRange): AutoCapState => ({ n: range.min, concurrency: dict(), strikes: 0, sourceLost: false });

export interface AutoCapInput {
  state: AutoCapState;
  settings: AutoCapSettings;
  now: number;
  /** This look's figures; undefined when the source is lost. */
  pressure: PressureFigures | undefined;
  /** Some managed queue has pending work it could run but no slot for it (the cap holds it back). */
  workWaits: boolean;
  /** The queues whose concurrency may be tuned, highest priority first (empty unless tuning). */
  tunable: readonly TunableQueue[];
}

export interface AutoCapResult {
  state: AutoCapState;
  /** What changed at this look, in order (empty most looks). */
  changes: Change[];
  /** A source lost or back: one log line. */
  sourceEvent?: "lost" | "back";
}

/** The resource furthest above (or nearest to) its target, and its ratio value/target. */
export function worst(figures: PressureFigures, target: PressureLimits): { resource: PressureResource; value: number; limit: number; ratio: number } | undefined {
  let out: ReturnType<typeof worst>;
  for (const [r, limit] of Object.entries(target) as [PressureResource, number][]) {
    const value = figures[r];
    if (value === undefined) return undefined;
    const ratio = value / limit;
    if (!out || ratio > out.ratio) out = { resource: r, value, limit, ratio };
  }
  return out;
}

const pct = (v: number) => `${Math.round(v)} %`;
const secs = (ms: number) => `${Math.round(ms / 1000)} s`;

export function controlAutoCap(input: AutoCapInput): AutoCapResult {
  const { settings, now } = input;
  const { min, max } = settings.range;
  // Keyed by queue names, which are data (issue 16 item 4): prototype-less, read with own().
  const s: AutoCapState = { ...input.state, concurrency: dict(Object.entries(input.state.concurrency)) };
  s.n = Math.min(max, Math.max(min, s.n));
  // Concurrency only for queues still tunable, within 1..owner.
  const tunable = settings.tune ? input.tunable : [];
  const names = new Set(tunable.map((q) => q.name));
  for (const q of Object.keys(s.concurrency)) if (!names.has(q)) delete s.concurrency[q];
  for (const q of tunable) {
    const c = own(s.concurrency, q.name);
    if (c !== undefined && (c >= q.owner || c < 1)) {
      if (c >= q.owner) delete s.concurrency[q.name];
      else s.concurrency[q.name] = 1;
    }
  }
  const current = (q: TunableQueue) => own(s.concurrency, q.name) ?? q.owner;
  const runningSince = dict<number>();
  for (const q of tunable) if (q.running) runningSince[q.name] = own(input.state.runningSince, q.name) ?? now;
  s.runningSince = runningSince;
  if (input.workWaits) s.waitsSince ??= now;
  else delete s.waitsSince;
  const changes: Change[] = [];
  const change = (c: Omit<Change, "at">) => {
    const full = { ...c, at: now };
    changes.push(full);
    s.lastChange = full;
    s.lastChangeAt = now;
  };
  const setN = (to: number, direction: Change["direction"], reason: string) => {
    change({ what: "n", from: s.n, to, direction, reason: `N ${s.n} → ${to}: ${reason}` });
    s.n = to;
  };
  const setConcurrency = (q: TunableQueue, to: number, direction: Change["direction"], reason: string) => {
    change({ what: "concurrency", queue: q.name, from: current(q), to, direction, reason: `${q.name} concurrency ${current(q)} → ${to}: ${reason}` });
    if (to >= q.owner) delete s.concurrency[q.name];
    else s.concurrency[q.name] = to;
  };

  // A raise that held forgives a strike; so does a long time without one.
  if (s.lastRaiseAt !== undefined && now - s.lastRaiseAt >= STRIKE_WINDOW_MS) {
    delete s.lastRaiseAt;
    if (s.strikes > 0) {
      s.strikes--;
      s.strikeAt = now;
    }
  }
  if (s.strikes > 0 && now - (s.strikeAt ?? now) >= STRIKE_DECAY_MS) {
    s.strikes--;
    s.strikeAt = now;
  }

  const w = input.pressure ? worst(input.pressure, settings.target) : undefined;
  if (!w) {
    // Lost: the lower bounds until it is back. Concurrency is held, not raised.
    const event = s.sourceLost ? undefined : ("lost" as const);
    s.sourceLost = true;
    delete s.overSince;
    delete s.underSince;
    delete s.pressure;
    if (s.n > min) setN(min, "down", "the pressure source is lost; the lower bound until it is back");
    return { state: s, changes, ...(event ? { sourceEvent: event } : {}) };
  }
  const back = s.sourceLost;
  s.sourceLost = false;
  s.pressure = { ...input.pressure };
  const figure = `${w.resource} some ${pct(w.value)}`;

  if (w.ratio > 1) {
    delete s.underSince;
    s.overSince ??= now;
    const since = Math.max(s.overSince, s.lastChangeAt ?? -Infinity);
    const far = w.ratio >= FAR;
    if (now - since >= downDwell(w.ratio)) {
      const reason = `${figure} above ${pct(w.limit)} for ${secs(now - s.overSince)}${far ? ` (${FAR}× the target or more)` : ""}`;
      const before = changes.length;
      if (s.n > min) {
        setN(far ? min : s.n - 1, "down", reason);
      } else {
        const running = tunable.filter((q) => q.running && current(q) > 1);
        if (far) {
          for (const q of running) setConcurrency(q, w.ratio >= NOW ? 1 : Math.max(1, Math.floor(current(q) / 2)), "down", reason);
        } else if (running.length > 0) {
          // The running queue with the most jobs at once; among equals the lowest priority.
          const top = Math.max(...running.map(current));
          const q = [...running].reverse().find((x) => current(x) === top)!;
          setConcurrency(q, top - 1, "down", reason);
        }
      }
      if (changes.length > before) {
        s.overSince = now;
        if (s.lastRaiseAt !== undefined) {
          // The raise overshot: the next one waits twice as long.
          s.strikes = Math.min(MAX_STRIKES, s.strikes + 1);
          s.strikeAt = now;
          delete s.lastRaiseAt;
        }
      }
    }
  } else if (w.ratio <= UP_LEVEL) {
    delete s.overSince;
    s.underSince ??= now;
    const settle = (settings.settleMs ?? SETTLE_MS) * 2 ** s.strikes;
    const since = Math.max(s.underSince, s.lastChangeAt ?? -Infinity);
    const reason = (what: string, from: number) => `${what}${figure} has stayed under ${pct(w.limit * UP_LEVEL)} (${UP_LEVEL * 100} % of the ${pct(w.limit)} target) for ${secs(now - from)}`;
    // Concurrency back toward the owner's values first, highest priority first; only for a
    // queue that runs, and only on evidence measured while it ran (an idle queue raised back,
    // or one raised on the idle time before it started, would start the next import at full
    // load: on the modelled 2-core host metadataExtraction went 1 → 2 at the first look of
    // every hourly upload, on the idle hour before it). Meanwhile N holds.
    const q = tunable.find((x) => x.running && current(x) < x.owner);
    if (back) {
      // A settle time afresh.
    } else if (q) {
      const from = Math.max(s.underSince, runningSince[q.name]!);
      if (now - Math.max(from, s.lastChangeAt ?? -Infinity) >= settle) setConcurrency(q, current(q) + 1, "up", reason("", from));
    } else if (input.workWaits && s.n < max && now - Math.max(since, s.waitsSince!) >= settle) {
      // The same for N: the settle time counts while work waits (an idle hour under the target
      // raised N at the first look of every hourly upload on the modelled 4-core host, and the
      // upload's pressure took it back 11 s later: two changes an hour).
      setN(s.n + 1, "up", reason("work waits and ", Math.max(s.underSince, s.waitsSince!)));
    }
    if (changes.length > 0) {
      s.lastRaiseAt = now;
      s.underSince = now;
    }
  } else {
    // The hysteresis band: hold, and start both stretches afresh.
    delete s.overSince;
    delete s.underSince;
  }
  return { state: s, changes, ...(back ? { sourceEvent: "back" as const } : {}) };
}

/**
 * When the controller could next change something if the pressure stays as
 * it is: the end of a dwell above the target (the loop looks again then, not
 * a whole POLL_INTERVAL later), or of a settle time under it. Undefined:
 * nothing is pending.
 */
export function nextDueAt(state: AutoCapState, settings: AutoCapSettings, lastFigures?: PressureFigures): number | undefined {
  const after = (t: number) => Math.max(t, state.lastChangeAt ?? -Infinity);
  if (state.overSince !== undefined) {
    const w = lastFigures ? worst(lastFigures, settings.target) : undefined;
    return after(state.overSince) + (w ? downDwell(w.ratio) : DOWN_DWELL_MS);
  }
  if (state.underSince !== undefined) return after(state.underSince) + (settings.settleMs ?? SETTLE_MS) * 2 ** state.strikes;
  return undefined;
}

/** The concurrency each tuned queue should have now (the owner's value unless lowered). */
export function concurrencyTargets(state: AutoCapState, tunable: readonly TunableQueue[]): Record<string, number> {
  const out = dict<number>();
  for (const q of tunable) out[q.name] = Math.min(q.owner, Math.max(1, own(state.concurrency, q.name) ?? q.owner));
  return out;
}

/** What the controller needs of a decision: whether work waits for a slot, and which queues run. */
export function loadOf(decision: { queues: readonly { name: string; managed: boolean; hasWork: boolean; occupiesSlot: boolean; held: boolean; blocks?: readonly unknown[]; passThrough?: boolean }[]; actions: readonly { queue: string; kind: "pause" | "resume" }[] }, observation: { queues: readonly { name: string; isPaused: boolean }[] }): { workWaits: boolean; running: Set<string> } {
  const pausedAfter = new Map(observation.queues.map((q) => [q.name, q.isPaused]));
  for (const a of decision.actions) pausedAfter.set(a.queue, a.kind === "pause");
  let workWaits = false;
  const running = new Set<string>();
  for (const v of decision.queues) {
    if (!v.managed) continue;
    if (v.occupiesSlot && pausedAfter.get(v.name) === false) running.add(v.name);
    // A pass-through queue's jobs are skipped at once: they wait for nothing (pass-through.ts).
    if (v.hasWork && !v.occupiesSlot && !v.held && !v.passThrough && !(v.blocks && v.blocks.length > 0)) workWaits = true;
  }
  return { workWaits, running };
}
