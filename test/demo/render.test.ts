// The demo's screen as strings: the live frame, the plain lines and the
// summary are pure functions of a view model, so they are checked here for
// what they say (queue names, counts, reasons, figures), not for exact bytes.

import { describe, expect, test } from "bun:test";
import { fit, strip, width } from "../../src/demo/ansi.ts";
import { DemoLog } from "../../src/demo/demo-log.ts";
import { clockText, durationText } from "../../src/demo/format.ts";
import { initialPlainState, plainLines } from "../../src/demo/plain.ts";
import { renderFrame, renderSummary } from "../../src/demo/render.ts";
import type { DemoSummary } from "../../src/demo/summary.ts";
import { buildView, type DemoView, type QueueInput } from "../../src/demo/view-model.ts";

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

const q = (name: string, isPaused: boolean, active: number, waiting: number, paused = 0): QueueInput => ({
  name,
  isPaused,
  counts: { active, waiting, paused, completed: 0, failed: 0, delayed: 0 },
});

/** A moment of an import: two queues running, one draining, one held, one waiting, one idle. */
function sampleView(): DemoView {
  const log = new DemoLog(() => T0 + 12 * MIN);
  log.info("connected to Immich v3.1.0, using /api/queues");
  log.info("paused smartSearch: no work left", { action: "pause", queue: "smartSearch", reason: "release" });
  log.info("resumed thumbnailGeneration: 812 jobs pending and a free slot (1 of 2 in use)", {
    action: "resume",
    queue: "thumbnailGeneration",
    reason: "fill-slot",
  });
  log.warn("could not pause ocr: Immich answered 500; deciding again next cycle", { action: "pause", queue: "ocr" });
  return buildView({
    version: "3.1.0",
    url: "http://127.0.0.1:40000",
    scenario: "import",
    workload: "1,000 photos, 30 videos",
    startedAt: T0,
    now: T0 + 41 * MIN + 30_000,
    speed: 120,
    maxConcurrent: 2,
    priority: ["metadataExtraction", "thumbnailGeneration", "smartSearch", "faceDetection", "ocr", "notAtThisServer"],
    queues: [
      q("thumbnailGeneration", false, 3, 809),
      q("metadataExtraction", false, 5, 0, 120),
      q("smartSearch", true, 2, 0, 400),
      q("faceDetection", true, 0, 0, 1030),
      q("ocr", true, 0, 0),
      q("backgroundTask", false, 1, 4),
      q("notifications", false, 0, 0),
    ],
    held: ["faceDetection"],
    completed: { thumbnailGeneration: 221, metadataExtraction: 905 },
    actions: log.actions(),
    daemon: "ok",
    uploads: [{ thumbnailAt: T0 + MIN, doneAt: T0 + 2 * MIN }, { thumbnailAt: T0 + 3 * MIN }, {}],
    log: log.tail(100),
  });
}

describe("buildView", () => {
  test("managed queues in priority order with their state, slots by DESIGN §2, others apart", () => {
    const v = sampleView();
    expect(v.managed.map((r) => [r.rank, r.name, r.state])).toEqual([
      [1, "metadataExtraction", "running"],
      [2, "thumbnailGeneration", "running"],
      [3, "smartSearch", "draining"], // paused, still finishing 2 active jobs
      [4, "faceDetection", "held"], // someone else paused it
      [5, "ocr", "paused"],
    ]);
    // Running with work, or paused with active jobs: three slot holders (over N: the view shows it as is).
    expect(v.slotsInUse).toBe(3);
    expect(v.managed[0]).toMatchObject({ active: 5, pending: 120, completed: 905, occupiesSlot: true });
    expect(v.managed[1]!.action).toEqual({
      kind: "resume",
      reason: "fill-slot",
      detail: "812 jobs pending and a free slot (1 of 2 in use)",
      elapsedMs: 12 * MIN,
    });
    // A failed command (warn) is not an action taken.
    expect(v.managed[4]!.action).toBeUndefined();
    expect(v.others.map((o) => o.name)).toEqual(["backgroundTask", "notifications"]);
    expect(v.uploads).toEqual({ total: 3, thumbnailed: 2, done: 1 });
    expect(v.elapsedMs).toBe(41 * MIN + 30_000);
    expect(v.log.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
  });
});

describe("renderFrame", () => {
  const style = { color: false, width: 200, height: 50 };

  test("header: simulated clock, speed, N, slots in use, uploads", () => {
    const text = renderFrame(sampleView(), style);
    const [first, second] = text.split("\n");
    expect(first).toContain("import: 1,000 photos, 30 videos");
    expect(first).toContain("Immich v3.1.0");
    expect(second).toContain("sim time 0:41:30");
    expect(second).toContain("120×");
    expect(second).toContain("N = 2");
    expect(second).toContain("slots ●● 3/2"); // over N is shown as is
    expect(second).toContain("uploads 2/3 thumbnailed, 1 done");
  });

  test("one row per managed queue in priority order, with counts, state and the latest decision and its reason", () => {
    const lines = renderFrame(sampleView(), style).split("\n");
    const row = (name: string) => lines.find((l) => l.includes(` ${name} `)) ?? "";
    const order = ["metadataExtraction", "thumbnailGeneration", "smartSearch", "faceDetection", "ocr"].map((n) => lines.indexOf(row(n)));
    expect(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]!))).toBe(true);

    expect(row("thumbnailGeneration")).toMatch(/running\s+3\s+809\s/);
    expect(row("thumbnailGeneration")).toContain("resumed 0:12:00 812 jobs pending and a free slot (1 of 2 in use)");
    expect(row("metadataExtraction")).toMatch(/running\s+5\s+120\s/);
    expect(row("metadataExtraction")).toContain("no command yet");
    expect(row("smartSearch")).toMatch(/draining\s+2\s+400\s/);
    expect(row("smartSearch")).toContain("paused 0:12:00 no work left");
    expect(row("faceDetection")).toMatch(/held\s+0\s+1,030\s/);
    // Done out of done + active + pending: 905 of 1,030 is 5 of 6 cells.
    expect(row("metadataExtraction")).toContain("█████░");
    // Unmanaged queues on one line, the busy one with its counts.
    expect(lines.find((l) => l.startsWith("left alone"))).toBe("left alone (not managed): backgroundTask 1 active, 4 pending · idle: notifications");
    // The latest log lines, warnings included.
    expect(text(lines)).toContain("0:12:00 could not pause ocr: Immich answered 500");
    expect(lines.some((l) => l.includes("notAtThisServer"))).toBe(false);
  });

  test("never wider than the terminal nor taller: the log gives way first", () => {
    const view = sampleView();
    // 10 fixed lines (header 4, queues 5, others 1); the log needs its gap and title besides.
    const narrow = renderFrame(view, { color: true, width: 80, height: 12 }).split("\n");
    expect(narrow.length).toBe(10);
    for (const l of narrow) expect(width(l)).toBeLessThanOrEqual(79);
    expect(narrow.some((l) => strip(l).includes("daemon log"))).toBe(false);
    const oneLine = renderFrame(view, { color: false, width: 80, height: 14 }).split("\n");
    expect(oneLine.length).toBe(13);
    expect(oneLine.at(-1)).toContain("could not pause ocr");
    expect(renderFrame(view, { color: false, width: 80, height: 6 }).split("\n")).toHaveLength(5);

    const roomy = renderFrame(view, { color: false, width: 80, height: 40 }).split("\n");
    expect(roomy.some((l) => l.includes("daemon log"))).toBe(true);
    expect(roomy.length).toBeLessThanOrEqual(39);
  });

  test("colour only when asked", () => {
    expect(renderFrame(sampleView(), style)).not.toContain("\x1b[");
    const coloured = renderFrame(sampleView(), { ...style, color: true });
    expect(coloured).toContain("\x1b[");
    expect(strip(coloured)).toBe(renderFrame(sampleView(), style));
  });
});

describe("plain output", () => {
  test("a header once, each log line once, and a status line when the slot holders change", () => {
    const view = sampleView();
    const first = plainLines(initialPlainState, view);
    expect(first.lines[0]).toContain("immich-job-daemon demo: simulated Immich v3.1.0");
    expect(first.lines).toContain("0:12:00 resumed thumbnailGeneration: 812 jobs pending and a free slot (1 of 2 in use)");
    expect(first.lines).toContain("0:12:00 WARN could not pause ocr: Immich answered 500; deciding again next cycle");
    expect(first.lines.at(-1)).toBe(
      "0:41:30 slots 3/2: metadataExtraction running (5 active, 120 pending), thumbnailGeneration running (3 active, 809 pending), smartSearch draining (2 active, 400 pending) | uploads 2/3 thumbnailed, 1 done",
    );
    // Nothing new: nothing printed.
    expect(plainLines(first.state, view).lines).toEqual([]);
    // smartSearch drained: one status line.
    const drained = { ...view, managed: view.managed.map((r) => (r.name === "smartSearch" ? { ...r, state: "paused" as const, active: 0, occupiesSlot: false } : r)) };
    const next = plainLines(first.state, drained);
    expect(next.lines).toHaveLength(1);
    expect(next.lines[0]).toContain("metadataExtraction running");
    expect(next.lines[0]).not.toContain("smartSearch");
    for (const l of [...first.lines, ...next.lines]) expect(l).not.toContain("\x1b[");
  });
});

describe("renderSummary", () => {
  const summary: DemoSummary = {
    outcome: "finished",
    scenario: "import",
    simMs: 112 * MIN + 16_000,
    realMs: 56_400,
    speed: 120,
    maxActive: 2,
    maxConcurrent: 2,
    thumbnail: { count: 1030, p50: 9 * MIN + 21_000, p95: 14 * MIN + 42_000, max: 15 * MIN },
    uploads: { total: 1030, done: 1030 },
    pauses: 26,
    resumes: 14,
    exitResumes: 12,
  };

  test("the figures: time taken, max active vs N, time to thumbnail, commands, and how to run it for real", () => {
    const text = renderSummary(summary, { color: false });
    expect(text).toContain("import finished");
    expect(text).toContain("1,030 of 1,030 fully processed");
    expect(text).toContain("1h 52m 16s from start to the last job, shown in 56 s (120×)");
    expect(text).toMatch(/2 managed queues active together, N = 2: ✓ never over the cap/);
    expect(text).toContain("p50 9m 21s · p95 14m 42s (1,030 uploads)");
    expect(text).toContain("26 pauses, 14 resumes; on exit it resumed the 12 queues it had paused");
    expect(text).toContain("IMMICH_URL=http://<your-immich>:2283 API_KEY=<key> MAX_CONCURRENT_JOBS=2 npm start");
  });

  test("a breach of the cap and an early stop are said plainly", () => {
    const text = renderSummary({ ...summary, outcome: "time-limit", limitS: 20, maxActive: 3, uploads: { total: 1030, done: 0 } }, { color: false });
    expect(text).toContain("import stopped at the time limit (--duration 20)");
    expect(text).toContain("3 managed queues active together, N = 2: ✗ over the cap");
    expect(text).toContain("0 of 1,030 fully processed");
  });
});

describe("text helpers", () => {
  test("fit cuts by printed width, keeps escapes and closes an open colour", () => {
    expect(fit("abcdef", 4)).toBe("abc…");
    expect(fit("abc", 4)).toBe("abc");
    const cut = fit("\x1b[32mgreen text\x1b[0m", 6);
    expect(strip(cut)).toBe("green…");
    expect(cut.endsWith("\x1b[0m")).toBe(true);
  });

  test("times", () => {
    expect(clockText(41 * MIN + 30_000)).toBe("0:41:30");
    expect(clockText(125 * MIN)).toBe("2:05:00");
    expect(durationText(400)).toBe("0.4 s");
    expect(durationText(42_000)).toBe("42 s");
    expect(durationText(9 * MIN + 5_000)).toBe("9m 05s");
  });
});

function text(lines: string[]): string {
  return lines.join("\n");
}
