// Table tests for time windows (DESIGN.md §2 rule 6) at the edges: 23:59,
// 00:00, 00:01, an excluded day, both DST changes of Europe/Berlin, a zone
// without DST, a window spanning the DST gap. Instants are written in UTC,
// with the Berlin wall clock in comments, so the tests do not lean on the
// code they check.
import { describe, expect, test } from "bun:test";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { parseWindows } from "../../src/core/window-syntax.ts";
import { isOpen, type Schedule, windowStates } from "../../src/core/windows.ts";

const utc = (s: string) => Date.parse(`${s}Z`);
function schedule(text: string, zone = "Europe/Berlin"): Schedule {
  const p = parseWindows(text, DEFAULT_PRIORITY);
  if (!p.ok) throw new Error(p.problems.join("; "));
  return { zone, windows: p.windows };
}
const windowOf = (text: string, queue = "smartSearch") => {
  const s = schedule(text);
  return s.windows[queue]!;
};

describe("open or closed at the edges (Europe/Berlin, winter: UTC+1)", () => {
  const night = windowOf("ml=22:00-06:00");
  const cases: [string, string, boolean][] = [
    // [UTC instant, Berlin wall clock, open?]
    ["2026-01-09T20:59:00", "Fri 21:59", false],
    ["2026-01-09T21:00:00", "Fri 22:00", true],
    ["2026-01-09T22:59:00", "Fri 23:59", true],
    ["2026-01-09T23:00:00", "Sat 00:00", true],
    ["2026-01-09T23:01:00", "Sat 00:01", true],
    ["2026-01-10T04:59:59", "Sat 05:59:59", true],
    ["2026-01-10T05:00:00", "Sat 06:00", false],
  ];
  for (const [at, wall, open] of cases) {
    test(`22:00-06:00 at ${wall}: ${open ? "open" : "closed"}`, () => {
      expect(isOpen(night, "Europe/Berlin", utc(at))).toBe(open);
    });
  }

  const weekend = windowOf("library=Sat,Sun 01:00-05:00", "library");
  const weekendCases: [string, string, boolean][] = [
    ["2026-01-09T01:00:00", "Fri 02:00 (excluded day)", false],
    ["2026-01-09T23:59:00", "Sat 00:59", false],
    ["2026-01-10T00:00:00", "Sat 01:00", true],
    ["2026-01-11T03:59:00", "Sun 04:59", true],
    ["2026-01-11T04:00:00", "Sun 05:00", false],
    ["2026-01-12T01:00:00", "Mon 02:00 (excluded day)", false],
  ];
  for (const [at, wall, open] of weekendCases) {
    test(`Sat,Sun 01:00-05:00 at ${wall}: ${open ? "open" : "closed"}`, () => {
      expect(isOpen(weekend, "Europe/Berlin", utc(at))).toBe(open);
    });
  }

  test("a wrapping window belongs to the day it opens: Fri 22:00-06:00 runs into Saturday morning, not into Friday's", () => {
    const fri = windowOf("smartSearch=Fri 22:00-06:00");
    expect(isOpen(fri, "Europe/Berlin", utc("2026-01-09T04:00:00"))).toBe(false); // Fri 05:00
    expect(isOpen(fri, "Europe/Berlin", utc("2026-01-09T22:59:00"))).toBe(true); // Fri 23:59
    expect(isOpen(fri, "Europe/Berlin", utc("2026-01-09T23:00:00"))).toBe(true); // Sat 00:00
    expect(isOpen(fri, "Europe/Berlin", utc("2026-01-10T04:00:00"))).toBe(true); // Sat 05:00
    expect(isOpen(fri, "Europe/Berlin", utc("2026-01-10T21:30:00"))).toBe(false); // Sat 22:30
  });

  test("Mon-Fri 00:00-24:00: Friday 23:59 open, Saturday 00:00 closed, Monday 00:00 open", () => {
    const weekdays = windowOf("smartSearch=Mon-Fri 00:00-24:00");
    expect(isOpen(weekdays, "Europe/Berlin", utc("2026-01-09T22:59:00"))).toBe(true);
    expect(isOpen(weekdays, "Europe/Berlin", utc("2026-01-09T23:00:00"))).toBe(false);
    expect(isOpen(weekdays, "Europe/Berlin", utc("2026-01-11T23:00:00"))).toBe(true);
  });

  test("a queue named in two entries may run in either", () => {
    const w = windowOf("ml=Mon-Fri 22:00-06:00; smartSearch=Sat,Sun 00:00-24:00");
    expect(w.text).toBe("Mon-Fri 22:00-06:00 + Sat,Sun 00:00-24:00");
    expect(isOpen(w, "Europe/Berlin", utc("2026-01-10T12:00:00"))).toBe(true); // Sat 13:00
    expect(isOpen(w, "Europe/Berlin", utc("2026-01-09T12:00:00"))).toBe(false); // Fri 13:00
  });
});

describe("next open and close", () => {
  const at = (s: Schedule, t: string, queue = "smartSearch") => windowStates(s, utc(t)).find((w) => w.queue === queue)!;

  test("closed in the afternoon: opens at 22:00 the same day; open at night: closes at 06:00", () => {
    const s = schedule("ml=22:00-06:00");
    const afternoon = at(s, "2026-01-09T14:00:00"); // Fri 15:00
    expect(afternoon).toMatchObject({ open: false, nextChangeAt: utc("2026-01-09T21:00:00"), nextChange: "Fri 22:00" });
    const night = at(s, "2026-01-09T23:00:00"); // Sat 00:00
    expect(night).toMatchObject({ open: true, nextChangeAt: utc("2026-01-10T05:00:00"), nextChange: "Sat 06:00" });
  });

  test("an excluded day is skipped: on Monday a weekend window next opens on Saturday", () => {
    const s = schedule("library=Sat,Sun 01:00-05:00");
    expect(at(s, "2026-01-12T10:00:00", "library")).toMatchObject({ open: false, nextChangeAt: utc("2026-01-17T00:00:00"), nextChange: "Sat 01:00" });
  });

  test("spring forward (29 Mar 2026, 02:00 CET → 03:00 CEST): 01:00-04:00 lasts two hours", () => {
    const s = schedule("ml=01:00-04:00");
    const before = at(s, "2026-03-28T23:30:00"); // Sun 00:30 CET
    expect(before).toMatchObject({ open: false, nextChangeAt: utc("2026-03-29T00:00:00") }); // 01:00 CET
    const inside = at(s, "2026-03-29T00:30:00"); // 01:30 CET
    expect(inside).toMatchObject({ open: true, nextChangeAt: utc("2026-03-29T02:00:00"), nextChange: "Sun 04:00" }); // 04:00 CEST
    expect(isOpen(s.windows.smartSearch!, s.zone, utc("2026-03-29T01:00:00"))).toBe(true); // 03:00 CEST, right after the jump
  });

  test("a window inside the spring gap (02:15-02:45) does not open that night; it opens the next", () => {
    const s = schedule("ml=02:15-02:45");
    const w = at(s, "2026-03-28T23:00:00"); // Sun 00:00 CET
    expect(w).toMatchObject({ open: false, nextChangeAt: utc("2026-03-30T00:15:00"), nextChange: "Mon 02:15" }); // 02:15 CEST
    expect(isOpen(s.windows.smartSearch!, s.zone, utc("2026-03-29T01:00:00"))).toBe(false); // 03:00 CEST
  });

  test("fall back (25 Oct 2026, 03:00 CEST → 02:00 CET): 22:00-06:00 lasts nine hours", () => {
    const s = schedule("ml=22:00-06:00");
    const evening = at(s, "2026-10-24T19:00:00"); // Sat 21:00 CEST
    expect(evening).toMatchObject({ open: false, nextChangeAt: utc("2026-10-24T20:00:00") }); // 22:00 CEST
    const night = at(s, "2026-10-24T20:00:00");
    expect(night).toMatchObject({ open: true, nextChangeAt: utc("2026-10-25T05:00:00"), nextChange: "Sun 06:00" }); // 06:00 CET
  });

  test("fall back: 02:00-02:30 happens twice, and the window opens both times", () => {
    const s = schedule("ml=02:00-02:30");
    const first = at(s, "2026-10-25T00:10:00"); // 02:10 CEST
    expect(first).toMatchObject({ open: true, nextChangeAt: utc("2026-10-25T00:30:00") });
    const between = at(s, "2026-10-25T00:45:00"); // 02:45 CEST
    expect(between).toMatchObject({ open: false, nextChangeAt: utc("2026-10-25T01:00:00"), nextChange: "Sun 02:00" }); // 02:00 CET
    expect(at(s, "2026-10-25T01:10:00")).toMatchObject({ open: true, nextChangeAt: utc("2026-10-25T01:30:00") });
  });

  test("a zone without DST (Asia/Kolkata, UTC+05:30): 22:00-06:00 opens at 16:30 UTC all year", () => {
    for (const day of ["2026-01-09", "2026-03-29", "2026-07-01", "2026-10-25"]) {
      const s = schedule("ml=22:00-06:00", "Asia/Kolkata");
      expect(at(s, `${day}T12:00:00`)).toMatchObject({ open: false, nextChangeAt: utc(`${day}T16:30:00`), nextChange: expect.stringMatching(/ 22:00$/) });
      expect(at(s, `${day}T16:30:00`).open).toBe(true);
      expect(at(s, `${day}T16:29:00`).open).toBe(false);
    }
  });

  test("a window that never changes has no next change", () => {
    const s = schedule("ml=00:00-24:00");
    expect(at(s, "2026-01-09T12:00:00")).toMatchObject({ open: true });
    expect(at(s, "2026-01-09T12:00:00").nextChangeAt).toBeUndefined();
  });

  test("the ml group names only the managed machine-learning queues", () => {
    const s = schedule("ml=22:00-06:00");
    expect(Object.keys(s.windows).sort()).toEqual(["duplicateDetection", "faceDetection", "facialRecognition", "ocr", "smartSearch"]);
    const p = parseWindows("ml=22:00-06:00", ["smartSearch", "thumbnailGeneration"]);
    expect(p.ok && Object.keys(p.windows)).toEqual(["smartSearch"]);
  });
});

describe("syntax errors name the wrong part", () => {
  const cases: [string, RegExp][] = [
    ["ml=22-06", /"22-06" does not end with hours like 22:00-06:00/],
    ["ml 22:00-06:00", /has no '=' between the queues and their hours/],
    ["thumbs=22:00-06:00", /"thumbs" is not a managed queue or a group/],
    ["backgroundTask=22:00-06:00", /"backgroundTask" is not a managed queue/],
    ["ml=Mon-Fry 22:00-06:00", /"Mon-Fry" is not a day or a range of days/],
    ["ml=Mon,Funday 22:00-06:00", /"Funday" is not a day/],
    ["ml=25:00-06:00", /"25:00-06:00" starts at no time of day/],
    ["ml=22:00-06:60", /"22:00-06:60" ends at no time of day/],
    ["ml=22:00-22:00", /is empty: it starts when it ends/],
    [";", /names no window/],
  ];
  for (const [text, problem] of cases) {
    test(text, () => {
      const p = parseWindows(text, DEFAULT_PRIORITY);
      expect(p.ok).toBe(false);
      if (!p.ok) expect(p.problems.join("; ")).toMatch(problem);
    });
  }
  test("every problem at once", () => {
    const p = parseWindows("thumbs=22:00-06:00; ml=9-5", DEFAULT_PRIORITY);
    expect(p.ok ? [] : p.problems).toHaveLength(2);
  });
  test("days are case-insensitive and may be full names or wrap (Fri-Mon)", () => {
    const p = parseWindows("smartSearch=friday-MON 10:00-11:00", DEFAULT_PRIORITY);
    expect(p.ok && p.windows.smartSearch!.ranges[0]!.days).toEqual([true, true, false, false, false, true, true]);
  });
});
