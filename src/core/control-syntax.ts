// How long an owner's instruction lasts, as people write it: a duration
// (`2h`, `90m`, `1h30m`, `45s`, `1d`) or a time on the wall clock of the
// configured zone (`until 07:00`, or `07:00`: the next 07:00 from now, today
// or tomorrow; an ISO date-time also works). Pure: the caller passes the time
// and the zone; the zone arithmetic is zone.ts's, as for the windows.

import { offsetAt, wallTime } from "./zone.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
/** The longest an instruction may last: a forgotten hold should not outlive a month. */
export const MAX_CONTROL_MS = 30 * DAY;

const UNIT_MS: Record<string, number> = { s: 1000, m: MINUTE, h: 60 * MINUTE, d: DAY };

/** "2h", "90m", "1h30m", "45s", "1d" to milliseconds; undefined if it is not one. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim().toLowerCase().replace(/\s+/g, "");
  if (!/^(\d+(\.\d+)?[smhd])+$/.test(s)) return undefined;
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(ms);
}

/** The next instant after `now` at which the wall clock of `zone` shows `hh:mm`. */
export function nextWallTime(hh: number, mm: number, zone: string, now: number): number {
  const offset = offsetAt(zone, now);
  const w = wallTime(now, offset);
  const target = hh * 60 + mm;
  let t = now - (now % MINUTE) + (target - w.minute) * MINUTE;
  if (t <= now) t += DAY;
  // Across a change of the zone's offset (summer time) the wall clock moved: correct once.
  const after = offsetAt(zone, t);
  if (after !== offset) {
    const fixed = t + offset - after;
    if (fixed > now) t = fixed;
  }
  return t;
}

export type Until = { until: number } | { problem: string };

/**
 * When an instruction ends: `for` (a duration) or `until` (a wall time in
 * `zone`, or an ISO date-time). Exactly one must be given.
 */
export function parseUntil(spec: { for?: unknown; until?: unknown }, zone: string, now: number): Until {
  const hasFor = spec.for !== undefined && spec.for !== null;
  const hasUntil = spec.until !== undefined && spec.until !== null;
  if (hasFor === hasUntil) return { problem: 'say how long with "for" (e.g. "2h", "90m") or until when with "until" (e.g. "07:00"), one of the two' };
  if (hasFor) {
    if (typeof spec.for !== "string" && typeof spec.for !== "number") return { problem: '"for" must be a duration such as "2h", "90m" or "1h30m"' };
    const ms = typeof spec.for === "number" ? spec.for * 1000 : parseDuration(spec.for);
    if (ms === undefined || !Number.isFinite(ms)) return { problem: `"for" is not a duration; write e.g. "2h", "90m" or "1h30m"` };
    return bounded(now + ms, now);
  }
  if (typeof spec.until !== "string") return { problem: '"until" must be a time such as "07:00" (on the daemon\'s TZ clock) or an ISO date-time' };
  const text = spec.until.trim().replace(/^until\s+/i, "");
  const hm = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (hm) {
    const hh = Number(hm[1]);
    const mm = Number(hm[2]);
    if (hh > 23 || mm > 59) return { problem: `"until" is not a time of day; write HH:MM from 00:00 to 23:59` };
    return { until: nextWallTime(hh, mm, zone, now) };
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const t = Date.parse(text);
    if (Number.isFinite(t)) return bounded(t, now);
  }
  // The value is not echoed: an answer never repeats what could be a secret pasted in the wrong field.
  return { problem: `"until" is not a time; write a time of day such as "07:00" (TZ's clock) or an ISO date-time such as "2026-01-31T07:00:00+01:00"` };
}

function bounded(until: number, now: number): Until {
  if (until <= now) return { problem: "that time has passed; give a duration above zero or a time to come" };
  if (until - now > MAX_CONTROL_MS) return { problem: "at most 30 days; a longer hold is better said by WINDOWS or MANAGED_QUEUES" };
  return { until };
}

/**
 * One argument list of the command line as a `for`/`until` pair: ["2h"],
 * ["until", "07:00"], ["07:00"]. Undefined when the words say neither.
 */
export function untilFromWords(words: readonly string[]): { for?: string; until?: string } | undefined {
  if (words.length === 2 && words[0]!.toLowerCase() === "until") return { until: words[1]! };
  if (words.length !== 1) return undefined;
  const w = words[0]!;
  if (/^\d{1,2}:\d{2}$/.test(w) || /^\d{4}-\d{2}-\d{2}T/.test(w)) return { until: w };
  if (parseDuration(w) !== undefined) return { for: w };
  return undefined;
}
