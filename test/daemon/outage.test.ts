// Issue 7 item 1: after an outage the daemon looks again within
// max(POLL_INTERVAL, 5 s) of Immich's return and restores the cap within two
// cycles, while a long outage costs only a few requests a minute. The daemon
// against the simulator over HTTP, in virtual time.
import { afterEach, describe, expect, test } from "bun:test";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { RETRY_CAP_FLOOR_MS, RETRY_JITTER, retryCapMs, retryDelay } from "../../src/daemon/backoff.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** Managed queues that are unpaused and have work: what the cap counts, as far as the flags go. */
const runningWithWork = (hh: Harness) =>
  hh.sim.engine
    .list()
    .filter((q) => DEFAULT_PRIORITY.includes(q.name as never) && !q.isPaused && q.counts.active + q.counts.waiting + q.counts.paused > 0)
    .map((q) => q.name);

describe("the retry delay", () => {
  test("never exceeds max(POLL_INTERVAL, 5 s), whatever the number of failures", () => {
    for (const poll of [100, 1_000, 5_000, 10_000, 60_000]) {
      for (const failures of [1, 2, 5, 10, 1_000]) {
        for (const r of [0, 0.5, 0.999]) {
          const d = retryDelay(failures, poll, () => r);
          expect(d).toBeLessThanOrEqual(Math.max(poll, RETRY_CAP_FLOOR_MS));
          expect(d).toBeGreaterThan(0);
          if (failures >= 10) expect(d).toBeGreaterThanOrEqual((1 - RETRY_JITTER) * Math.max(poll, RETRY_CAP_FLOOR_MS));
        }
      }
    }
    expect(retryCapMs(1_000)).toBe(5_000);
    expect(retryCapMs(10_000)).toBe(10_000);
  });
});

describe.each([1_000, 10_000])("POLL_INTERVAL=%d ms, a 60 s restart outage (503)", (pollMs) => {
  test("Immich is seen again within max(POLL_INTERVAL, 5 s) and the cap is restored within two cycles", async () => {
    h = await startHarness({ maxConcurrent: 1, pollMs });
    h.sim.engine.upload({ photos: 200, videos: 5 });
    await h.advance(30_000);
    expect(runningWithWork(h).length).toBeLessThanOrEqual(1);

    const before = h.requests;
    h.sim.restart({ downMs: 60_000, mode: "503" }); // Immich's restart resumes metadataExtraction
    const backAt = h.clock.now() + 60_000;
    // Every queue's flag cleared meanwhile, as a Redis loss does to the pause flags.
    for (const q of h.sim.engine.list()) if (DEFAULT_PRIORITY.includes(q.name as never)) h.sim.engine.setPaused(q.name, false, "person");
    expect(runningWithWork(h).length).toBeGreaterThan(1);
    const step = 250;
    let seenAt: number | undefined;
    let restoredAt: number | undefined;
    let duringOutage = 0;
    while (h.clock.now() < backAt + 120_000) {
      if (h.clock.now() + step <= backAt) duringOutage = h.requests - before;
      await h.advance(step);
      if (seenAt === undefined && h.log.lines.some((l) => l.msg.startsWith("Immich answers again"))) seenAt = h.clock.now();
      if (seenAt !== undefined && runningWithWork(h).length <= 1) {
        restoredAt = h.clock.now();
        break;
      }
    }
    const cap = Math.max(pollMs, RETRY_CAP_FLOOR_MS);
    expect(seenAt).toBeDefined();
    expect(seenAt! - backAt).toBeLessThanOrEqual(cap + step);
    expect(restoredAt! - backAt).toBeLessThanOrEqual(cap + 2 * pollMs + step);
    // The outage itself: a few requests a minute (one GET per retry).
    expect(duringOutage).toBeLessThanOrEqual(Math.ceil(60_000 / ((1 - RETRY_JITTER) * cap)) + 4);
  });
});

test("a ten-minute outage at POLL_INTERVAL=1 costs at most 15 requests a minute once backed off", async () => {
  h = await startHarness({ maxConcurrent: 1, pollMs: 1_000 });
  h.sim.faults.set({ errorRate: 1 });
  await h.advance(60_000); // backing off
  const before = h.requests;
  await h.advance(10 * 60_000);
  const perMinute = (h.requests - before) / 10;
  expect(perMinute).toBeLessThanOrEqual(60_000 / ((1 - RETRY_JITTER) * RETRY_CAP_FLOOR_MS));
  expect(perMinute).toBeGreaterThanOrEqual(60_000 / RETRY_CAP_FLOOR_MS - 1);
});
