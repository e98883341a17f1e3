// Time windows (DESIGN.md §2 rule 6): when a queue may run, as days of the
// week and a start and end time on the wall clock of one IANA zone, wrapping
// past midnight. Like kured's timewindow, pure: the caller passes the time
// in. `windowStates` answers, for every queue with a window, whether it is
// open now and when that next changes (status, the log, the blockers).
// The syntax is parsed in window-syntax.ts.

import { offsetAt, offsetsBetween, wallTime, type WallTime } from "./zone.ts";

/** One allowed stretch: it opens on the listed days at `start` and closes at `end` (the next day if end <= start). */
export interface Range {
  /** Index = weekday (0 = Sunday) on which the range opens. */
  days: readonly boolean[];
  /** Minutes since midnight, 0..1439. */
  start: number;
  /** Minutes since midnight, 1..1440; at or before `start` it wraps into the next day. */
  end: number;
}

/** A queue's window: the union of its ranges, and the text it was written as. */
export interface Window {
  text: string;
  ranges: readonly Range[];
}

export interface Schedule {
  /** IANA zone of the wall clock. */
  zone: string;
  /** Managed queue → its window. Queues without one may always run. */
  windows: Readonly<Record<string, Window>>;
}

/** A queue's window at one instant, as plain data for decide, status and logs. */
export interface WindowState {
  queue: string;
  window: string;
  zone: string;
  open: boolean;
  /** When it next opens (if closed) or closes (if open); undefined if it never does within a week. */
  nextChangeAt?: number;
  /** The same on the zone's wall clock, e.g. "Sat 01:00". */
  nextChange?: string;
}

/** Whether the window allows wall time `w`. */
export function windowContains(window: Window, w: WallTime): boolean {
  return window.ranges.some((r) => {
    if (r.start < r.end) return r.days[w.weekday]! && w.minute >= r.start && w.minute < r.end;
    // Wraps: the evening of an opening day, or the morning after one.
    return (r.days[w.weekday]! && w.minute >= r.start) || (r.days[(w.weekday + 6) % 7]! && w.minute < r.end);
  });
}

/** Whether `window` is open at instant `t` in `zone`. */
export function isOpen(window: Window, zone: string, t: number): boolean {
  return windowContains(window, wallTime(t, offsetAt(zone, t)));
}

const MINUTE = 60_000;
/** A week and a day: any window that changes at all does so within it. */
const HORIZON_MS = 8 * 86_400_000;

/**
 * Each window's state at `t`. A window only changes at a minute boundary of
 * the wall clock (zones differ from UTC by whole minutes), so the next
 * change is found by scanning the coming minutes with the zone's offsets
 * computed once for the week (zone.ts).
 */
export function windowStates(schedule: Schedule, t: number): WindowState[] {
  const entries = Object.entries(schedule.windows);
  if (entries.length === 0) return [];
  const offset = offsetsBetween(schedule.zone, t, t + HORIZON_MS);
  const first = Math.floor(t / MINUTE) * MINUTE + MINUTE;
  return entries.map(([queue, window]) => {
    const open = windowContains(window, wallTime(t, offset(t)));
    const state: WindowState = { queue, window: window.text, zone: schedule.zone, open };
    for (let m = first; m <= t + HORIZON_MS; m += MINUTE) {
      if (windowContains(window, wallTime(m, offset(m))) !== open) {
        state.nextChangeAt = m;
        state.nextChange = formatWall(m, offset(m));
        break;
      }
    }
    return state;
  });
}

const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const pad = (n: number) => String(n).padStart(2, "0");

/** "Sat 01:00": an instant on the wall clock, given the offset in force then. */
export function formatWall(t: number, offset: number): string {
  const w = wallTime(t, offset);
  return `${DAY_NAMES[w.weekday]} ${pad(Math.floor(w.minute / 60))}:${pad(w.minute % 60)}`;
}

/** A sentence for logs and status: "open until Mon 06:00", "closed until Sun 22:00". */
export function describeWindowState(s: WindowState): string {
  const until = s.nextChange ? ` until ${s.nextChange}` : s.open ? " (always)" : " (never opens)";
  return `${s.open ? "open" : "closed"}${until} (window ${s.window}, ${s.zone})`;
}

/**
 * windowStates, remembered until the first of them changes: a daemon polling
 * every second over a simulated week asks once per change, not per poll.
 */
export function windowTracker(schedule: Schedule): (t: number) => WindowState[] {
  let from = Infinity;
  let until = -Infinity;
  let states: WindowState[] = [];
  return (t) => {
    if (t < from || t >= until) {
      states = windowStates(schedule, t);
      from = t;
      until = Math.min(t + HORIZON_MS, ...states.map((s) => s.nextChangeAt ?? Infinity));
    }
    return states;
  };
}
