// The WINDOWS syntax, one environment variable for a container:
//   WINDOWS="ml,videoConversion=22:00-06:00; library=Sat,Sun 01:00-05:00"
// Entries separated by ';', each `queues=[days ]HH:MM-HH:MM`. Queues are
// managed queue names or a group (`ml`). Days: Mon..Sun (or full names, any
// case), single or ranges (Mon-Fri, Fri-Mon wraps), comma-separated; no days
// means every day. A window opens on a listed day and, if its end is not
// after its start, closes the next morning. 24:00 ends a day. A queue named
// in several entries may run in any of them. Problems are collected, each
// naming the part that is wrong.

import { dict, own } from "../shared/dict.ts";
import { QUEUE_GROUPS } from "./queues.ts";
import type { Range, Window } from "./windows.ts";

export const WINDOWS_EXAMPLE = "ml,videoConversion=22:00-06:00; library=Sat,Sun 01:00-05:00";

export type ParsedWindows = { ok: true; windows: Record<string, Window> } | { ok: false; problems: string[] };

// Names typed by a person are data: `constructor` is no day and no group (shared/dict.ts).
const DAYS = dict<number>();
["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"].forEach((name, i) => {
  DAYS[name] = i;
  DAYS[name.slice(0, 3)] = i;
});

/** `managed`: the queues the daemon manages, in priority order (windows name only those). */
export function parseWindows(text: string, managed: readonly string[]): ParsedWindows {
  const problems: string[] = [];
  const parts = dict<{ texts: string[]; ranges: Range[] }>();
  const entries = text.split(";").map((e) => e.trim()).filter((e) => e !== "");
  if (entries.length === 0) return { ok: false, problems: ["names no window"] };

  for (const entry of entries) {
    const eq = entry.indexOf("=");
    if (eq < 0) {
      problems.push(`${JSON.stringify(entry)} has no '=' between the queues and their hours`);
      continue;
    }
    const targets = entry.slice(0, eq).split(",").map((t) => t.trim());
    const spec = entry.slice(eq + 1).trim().replace(/\s+/g, " ");
    const queues: string[] = [];
    for (const t of targets) {
      const group = own(QUEUE_GROUPS, t);
      if (t === "") problems.push(`${JSON.stringify(entry)} has an empty queue name`);
      else if (group) queues.push(...group.filter((q) => managed.includes(q)));
      else if (managed.includes(t)) queues.push(t);
      else {
        problems.push(
          `${JSON.stringify(t)} is not a managed queue or a group (groups: ${Object.keys(QUEUE_GROUPS).join(", ")}; queues: those of MANAGED_QUEUES)`,
        );
      }
    }
    const range = parseSpec(spec);
    if (typeof range === "string") {
      problems.push(range);
      continue;
    }
    for (const q of new Set(queues)) {
      const p = (parts[q] ??= { texts: [], ranges: [] });
      p.texts.push(spec);
      p.ranges.push(range);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const windows = dict<Window>();
  for (const q of managed) {
    const p = parts[q];
    if (p) windows[q] = { text: p.texts.join(" + "), ranges: p.ranges };
  }
  return { ok: true, windows };
}

/** `[days ]HH:MM-HH:MM` → a Range, or the problem in words. */
function parseSpec(spec: string): Range | string {
  const m = /^(?:(.+) )?(\S+)$/.exec(spec);
  const hours = m?.[2] ?? "";
  const t = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(hours);
  if (!t) return `${JSON.stringify(spec)} does not end with hours like 22:00-06:00`;
  const start = minutes(t[1]!, t[2]!);
  const end = minutes(t[3]!, t[4]!);
  if (start === undefined || start === 1440) return `${JSON.stringify(hours)} starts at no time of day (00:00 to 23:59)`;
  if (end === undefined) return `${JSON.stringify(hours)} ends at no time of day (00:00 to 24:00)`;
  if (start === end) return `${JSON.stringify(hours)} is empty: it starts when it ends (a whole day is 00:00-24:00)`;
  const days = m?.[1] === undefined ? Array(7).fill(true) : parseDays(m[1]);
  if (typeof days === "string") return days;
  return { days, start, end: end === 0 ? 1440 : end };
}

function minutes(h: string, m: string): number | undefined {
  const hh = Number(h);
  const mm = Number(m);
  if (mm > 59 || hh > 24 || (hh === 24 && mm > 0)) return undefined;
  return hh * 60 + mm;
}

/** "Mon-Fri", "Sat,Sun", "Fri-Mon" → a flag per weekday, or the problem. */
function parseDays(text: string): boolean[] | string {
  const days: boolean[] = Array(7).fill(false);
  for (const item of text.split(",").map((d) => d.trim())) {
    const [a, b, ...rest] = item.split("-").map((d) => d.trim().toLowerCase());
    const from = own(DAYS, a ?? "");
    const to = b === undefined ? from : own(DAYS, b);
    if (rest.length > 0 || from === undefined || to === undefined) {
      return `${JSON.stringify(item)} is not a day or a range of days (Mon, Tue, Wed, Thu, Fri, Sat, Sun; e.g. Mon-Fri or Sat,Sun)`;
    }
    for (let d = from; ; d = (d + 1) % 7) {
      days[d] = true;
      if (d === to) break;
    }
  }
  return days;
}
