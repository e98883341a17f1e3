// Wall-clock time in an IANA time zone, from the runtime's own zone data
// (Bun carries ICU's, so the compiled binary needs no /usr/share/zoneinfo:
// test/e2e/empty-root.test.ts checks it). The only Intl use is the zone's UTC
// offset at an instant; everything else is arithmetic on that, so a week of
// minutes can be scanned cheaply (windows.ts does, to find the next change).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's canonical name if the runtime knows it, else undefined (never throws). */
export function checkZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The zone the runtime uses when none is given (TZ, else /etc/localtime, else UTC). */
export function defaultZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC";
}

/** Milliseconds to add to UTC to get the zone's wall clock at instant `t`. */
export function offsetAt(zone: string, t: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(t)) {
    if (part.type !== "literal") p[part.type] = Number(part.value);
  }
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - (t - (((t % 1000) + 1000) % 1000));
}

/** Day of week (0 = Sunday) and minute of the day on the zone's wall clock. */
export interface WallTime {
  weekday: number;
  minute: number;
}

const DAY_MS = 86_400_000;

/** Wall time from an instant and the offset in force then. */
export function wallTime(t: number, offset: number): WallTime {
  const local = t + offset;
  const day = Math.floor(local / DAY_MS);
  // 1970-01-01 was a Thursday (4).
  return { weekday: (((day + 4) % 7) + 7) % 7, minute: Math.floor((local - day * DAY_MS) / 60_000) };
}

/**
 * The zone's offset over [from, to], as a function of the instant: sampled
 * hourly and, where two samples differ, bisected to the exact millisecond of
 * the change (zones change at most once within an hour). About 200 lookups
 * for a week instead of one per minute.
 */
export function offsetsBetween(zone: string, from: number, to: number): (t: number) => number {
  const changes: { at: number; offset: number }[] = [];
  let prevT = from;
  let prev = offsetAt(zone, from);
  const first = prev;
  for (let t = from + 3_600_000; ; t += 3_600_000) {
    const at = Math.min(t, to);
    const o = offsetAt(zone, at);
    if (o !== prev) {
      let lo = prevT; // offset(lo) = prev
      let hi = at; // offset(hi) = o
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetAt(zone, mid) === prev) lo = mid;
        else hi = mid;
      }
      changes.push({ at: hi, offset: o });
      prev = o;
    }
    prevT = at;
    if (at >= to) break;
  }
  return (t) => {
    let o = first;
    for (const c of changes) if (t >= c.at) o = c.offset;
    return o;
  };
}
