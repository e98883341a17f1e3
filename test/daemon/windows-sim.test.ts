// Time windows end to end (DESIGN.md §2 rule 6): the daemon with WINDOWS
// against the simulator over HTTP, in virtual time, across a night. The ML
// queues run only inside 22:00-06:00; at the close the running one is
// paused and only its active jobs finish; other queues are not held back.
import { afterEach, expect, test } from "bun:test";
import { DEFAULT_PRIORITY, ML_QUEUES } from "../../src/core/queues.ts";
import { parseWindows } from "../../src/core/window-syntax.ts";
import { windowKeeping } from "../../src/simulator/sim-summary.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";

const HOUR = 3_600_000;
let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

test("ML work runs only in its window; at the close only active jobs finish; thumbnails are not held back", async () => {
  const parsed = parseWindows("ml=22:00-06:00", DEFAULT_PRIORITY);
  if (!parsed.ok) throw new Error(parsed.problems.join());
  const zone = "Europe/Berlin";
  const schedule = { zone, windows: parsed.windows };
  // 20:00 Berlin (19:00 UTC) on a winter Friday.
  h = await startHarness({ maxConcurrent: 2, pollMs: 37_000, gates: { schedule }, startAt: Date.UTC(2026, 0, 9, 19) });
  // A machine-learning backlog far longer than the night, and fresh uploads in the evening.
  h.sim.engine.addExisting({ photos: 30_000, queues: ["smartSearch", "faceDetection"] });
  h.sim.engine.upload({ photos: 30 });
  await h.advance(2 * HOUR); // to 22:00 Berlin
  const evening = h.sim.engine.recording();
  // The uploads got their thumbnails in the evening; no ML job ran before 22:00.
  expect(evening.uploads.every((u) => u.thumbnailAt !== undefined)).toBe(true);
  const opensAt = Date.UTC(2026, 0, 9, 21);
  expect(evening.activeIntervals.filter((i) => ML_QUEUES.includes(i.queue) && i.from < opensAt)).toEqual([]);

  await h.advance(9 * HOUR); // to 07:00 Berlin
  const rec = h.sim.engine.recording();
  const k = windowKeeping(rec, ML_QUEUES, parsed.windows.smartSearch!, zone);
  expect(k.startedOutsideMs).toBe(0);
  expect(k.insideMs).toBeGreaterThan(7 * HOUR);
  // At 06:00 only the jobs then active finish: at most one job's length (3 s ± 40 %); the
  // daemon looks again at the close itself, not at its next poll after it.
  expect(k.maxOverrunMs).toBeLessThanOrEqual(4_200);
  expect(h.sim.engine.recording().pauseChanges.filter((c) => c.queue === "smartSearch" && c.paused && c.at === Date.UTC(2026, 0, 10, 5))).toHaveLength(1);
  expect(rec.completedJobs.smartSearch! + rec.completedJobs.faceDetection!).toBeGreaterThan(1_000);
  const lines = h.log.lines.map((l) => l.msg);
  expect(lines.some((m) => m.startsWith("window 22:00-06:00 (Europe/Berlin) opened for smartSearch, duplicateDetection, faceDetection, facialRecognition, ocr (closes Sat 06:00)"))).toBe(true);
  expect(lines.some((m) => m.startsWith("window 22:00-06:00 (Europe/Berlin) closed for"))).toBe(true);
  expect(lines.some((m) => /^paused (smartSearch|faceDetection): outside its window 22:00-06:00/.test(m))).toBe(true);
  // Still ML work waiting, held back until the next night.
  const ml = h.sim.engine.list().filter((q) => ML_QUEUES.includes(q.name));
  expect(ml.every((q) => q.isPaused && q.counts.active === 0)).toBe(true);
  expect(ml.reduce((n, q) => n + q.counts.paused, 0)).toBeGreaterThan(0);
  expect(h.daemon.gates?.windows?.find((w) => w.queue === "smartSearch")).toMatchObject({ open: false, nextChange: "Sat 22:00" });
}, 60_000);
