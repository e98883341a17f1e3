// The whole demo in virtual time: the simulator and the real daemon over
// HTTP on 127.0.0.1, the import to its end, in well under a second of real
// time. The figures the summary prints are checked against the recording's
// own rules: never more managed queues active than N, every upload done.

import { describe, expect, test } from "bun:test";
import { runDemo, type DemoOptions, type DemoResult } from "../../src/demo/run-demo.ts";
import type { DemoView } from "../../src/demo/view-model.ts";
import { VirtualClock } from "../../src/shared/clock.ts";

/** Runs the demo, moving virtual time on whenever every task is asleep on it. */
async function drive(opts: Partial<DemoOptions> & { clock: VirtualClock }): Promise<{ result: DemoResult; frames: DemoView[] }> {
  const frames: DemoView[] = [];
  let result: DemoResult | undefined;
  let failed: unknown;
  const running = runDemo({
    speed: 120,
    maxConcurrent: 2,
    scenario: "import",
    scale: 0.1,
    profile: "v3.1",
    seed: 1,
    limitMs: 10 * 60_000,
    fetch,
    signal: new AbortController().signal,
    onFrame: (v) => frames.push(v),
    ...opts,
  }).then(
    (r) => (result = r),
    (e: unknown) => (failed = e),
  );
  const { clock } = opts;
  while (result === undefined && failed === undefined) {
    // Nobody asleep on the clock means I/O in flight (start-up, exit clean-up): let it run.
    if (clock.pending === 0) await new Promise((r) => setImmediate(r));
    // A woken task gets up to 300 ms to sleep again: a daemon cycle needs a
    // few; the frame loop's last wake-up, which ends instead, costs it once.
    else await clock.advance(10_000, 300);
  }
  await running;
  if (failed !== undefined) throw failed;
  return { result: result!, frames };
}

describe("runDemo in virtual time", () => {
  test("the import runs to its end with at most N managed queues active, and the summary says so", async () => {
    const t0 = performance.now();
    const { result, frames } = await drive({ clock: new VirtualClock(Date.UTC(2026, 5, 1)) });
    const s = result.summary;
    expect(s.outcome).toBe("finished");
    expect(s.uploads.total).toBe(206); // 200 photos + 6 videos at scale 0.1
    expect(s.uploads.done).toBe(s.uploads.total);
    expect(s.maxActive).toBeLessThanOrEqual(2);
    expect(s.maxActive).toBe(2); // both slots were used
    expect(s.thumbnail.count).toBe(206);
    expect(s.thumbnail.p50!).toBeGreaterThan(0);
    expect(s.thumbnail.p95!).toBeGreaterThanOrEqual(s.thumbnail.p50!);
    expect(s.pauses).toBeGreaterThan(13); // the 13 idle queues at start, then releases
    expect(s.resumes).toBeGreaterThan(3);
    // On exit everything the daemon paused is resumed (rule 9).
    expect(s.exitResumes).toBeGreaterThan(0);
    expect(result.exitLog.at(-1)?.msg).toMatch(/^exiting; resumed \d+ queues/);
    // Simulated hours, real milliseconds.
    expect(s.simMs).toBeGreaterThan(15 * 60_000);
    expect(performance.now() - t0).toBeLessThan(5_000);

    // The frames: the slot count never above N, the daemon's reasons beside the queues.
    expect(frames.length).toBeGreaterThan(10);
    expect(Math.max(...frames.map((f) => f.slotsInUse))).toBeLessThanOrEqual(2);
    // metadataExtraction stood by (rule 12): the import started there at once, with no command.
    expect(frames.find((f) => f.managed.some((r) => r.name === "metadataExtraction" && r.state === "running" && r.active > 0))!.managed[1]!.action).toBeUndefined();
    // (storageTemplateMigration passes through unpaused, taking no slot: the storage template is off.)
    const resumed = (r: (typeof frames)[number]["managed"][number]) => r.state === "running" && r.pending > 0 && r.occupiesSlot && r.name !== "metadataExtraction" && r.name !== "thumbnailGeneration";
    const busiest = frames.find((f) => f.managed.some(resumed))!;
    const running = busiest.managed.find(resumed)!;
    expect(running.action?.kind).toBe("resume");
    expect(running.action?.detail).toMatch(/pending and a free slot/);
    // The daemon's ETAs reach the view once it has measured a queue.
    expect(frames.some((f) => f.etaMs !== null && f.managed.some((r) => typeof r.etaMs === "number"))).toBe(true);
    expect(result.view.uploads).toEqual({ total: 206, thumbnailed: 206, done: 206 });
  });

  test("N = 1 holds too, on a legacy /api/jobs server", async () => {
    const { result } = await drive({ clock: new VirtualClock(), maxConcurrent: 1, profile: "v1.137", scale: 0.05 });
    expect(result.summary.outcome).toBe("finished");
    expect(result.summary.maxActive).toBe(1);
    expect(result.summary.uploads.done).toBe(result.summary.uploads.total);
  });

  test("a scenario that never ends stops at the time limit", async () => {
    // backlog keeps a trickle of uploads coming: only the cap ends it. 10 s
    // of "real" time at 120× (virtual: simulated time / speed) is 20 minutes.
    const { result } = await drive({ clock: new VirtualClock(), scenario: "backlog", scale: 0.01, limitMs: 10_000 });
    expect(result.summary.outcome).toBe("time-limit");
    expect(result.summary.limitS).toBe(10);
    expect(result.summary.realMs).toBeGreaterThanOrEqual(10_000);
    expect(result.summary.maxActive).toBeLessThanOrEqual(2);
  });

  test("an abort (Ctrl-C) stops it early; the daemon still resumes what it paused", async () => {
    const stop = new AbortController();
    const clock = new VirtualClock();
    let frames = 0;
    const { result } = await drive({
      clock,
      signal: stop.signal,
      onFrame: () => {
        if (++frames === 20) stop.abort();
      },
    });
    expect(result.summary.outcome).toBe("interrupted");
    expect(result.summary.uploads.done).toBeLessThan(result.summary.uploads.total);
    expect(result.summary.exitResumes).toBeGreaterThan(0);
  });
});

describe("demo --scenario nightly", () => {
  test("the ml queues' window closes a few minutes in: running ML queues are paused, their work waits", async () => {
    const { result } = await drive({ clock: new VirtualClock(Date.UTC(2026, 5, 1)), scenario: "nightly", scale: 0.5, limitMs: 60_000 });
    const lines = [...result.view.log, ...result.exitLog].map((l) => l.msg);
    expect(result.view.workload).toContain('WINDOWS="ml=00:00-00:06" (UTC)');
    expect(lines.some((l) => l.includes("window 00:00-00:06 (UTC) closed for smartSearch, duplicateDetection, faceDetection, facialRecognition, ocr"))).toBe(true);
    expect(lines.some((l) => /paused (smartSearch|faceDetection|ocr|facialRecognition|duplicateDetection): outside its window 00:00-00:06/.test(l))).toBe(true);
  }, 60_000);
});
