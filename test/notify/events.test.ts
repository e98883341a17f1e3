// The events read from successive snapshots, as tables: windows (grouped per
// window), the ML gate, a refused key, short backlogs (no news) and held
// queues found at a restart (no news).
import { describe, expect, test } from "bun:test";
import { EventDetector } from "../../src/notify/events.ts";
import type { StatusSnapshot } from "../../src/status/snapshot.ts";
import { EXAMPLE_SNAPSHOT } from "../../src/status/metrics-doc.ts";

const T = EXAMPLE_SNAPSHOT.at;
// The example without windows or gates: each test adds its own.
const { windows: _w, gates: _g, ...BASE } = EXAMPLE_SNAPSHOT;
const snap = (over: Partial<StatusSnapshot>): StatusSnapshot => ({ ...structuredClone(BASE), ...over });
const win = (queue: string, open: boolean, nextChange = open ? "Sat 06:00" : "Sat 22:00") => ({ queue, window: "22:00-06:00", zone: "Europe/Berlin", open, nextChange });
const detector = () => new EventDetector({ outageAfterMs: 60_000 });

describe("events from snapshots", () => {
  test("queues sharing a window that closes are one event; the first look is no change", () => {
    const d = detector();
    const a = snap({ windows: [win("smartSearch", true), win("ocr", true), win("library", true)] });
    expect(d.next(snap({}), a)).toEqual([]);
    const b = snap({ windows: [win("smartSearch", false), win("ocr", false), win("library", true)] });
    expect(d.next(a, b)).toEqual([
      { kind: "window-closed", at: T, severity: "info", title: "Window closed", text: "Window 22:00-06:00 (Europe/Berlin) closed for smartSearch and ocr; it opens again Sat 22:00.", queues: ["smartSearch", "ocr"] },
    ]);
    expect(d.next(b, b)).toEqual([]);
  });

  test("the machine-learning service going and coming back", () => {
    const d = detector();
    const up = snap({ gates: { ml: { up: true, since: T - 3_600_000, urls: ["http://ml:3003"] } } });
    const down = snap({ gates: { ml: { up: false, since: T, urls: ["http://ml:3003"] } } });
    const back = snap({ gates: { ml: { up: true, since: T + 720_000, urls: ["http://ml:3003"] } } });
    expect(d.next(up, down).map((e) => e.kind)).toEqual(["ml-down"]);
    const [e] = d.next(down, back);
    expect(e).toMatchObject({ kind: "ml-up", durationSeconds: 720, text: "The machine-learning service answers again after 12 min; its queues may run." });
  });

  test("a refused key is said once, when the refusal is counted", () => {
    const d = detector();
    const before = snap({});
    const after = snap({ counters: { ...before.counters, apiErrors: [...before.counters.apiErrors, { kind: "unauthorized", count: 1 }] } });
    expect(d.next(before, after).map((e) => [e.kind, e.severity])).toEqual([["key-refused", "error"]]);
    expect(d.next(after, after)).toEqual([]);
  });

  test("a backlog shorter than ten minutes is no news when done; held queues found at the first look are none either", () => {
    const d = detector();
    const busy = snap({ lastSuccessAt: T });
    const done = snap({ lastSuccessAt: T + 5 * 60_000, queues: busy.queues.map((q) => ({ ...q, active: 0, pending: 0 })) });
    expect(d.next(snap({ lastSuccessAt: T - 10_000 }), busy)).toEqual([]);
    expect(d.next(busy, done)).toEqual([]);
    const first = snap({ lastSuccessAt: T, queues: busy.queues.map((q) => ({ ...q, held: true })) });
    const { lastSuccessAt: _, ...never } = snap({});
    expect(d.next(never as StatusSnapshot, first)).toEqual([]);
  });
});
