// Issue 16 item 1: an answer that lists some managed queues, or none, is not
// the truth about what the daemon paused. The daemon against the simulator
// over HTTP, in virtual time, with the simulator's partial-list faults
// (partialRate/partialKeep: random lists with queues left out; hiddenQueues:
// a server that lacks some queues for good).
import { afterEach, expect, test } from "bun:test";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { SUSPECT_AFTER_MS } from "../../src/core/presence.ts";
import { memoryLog } from "../../src/daemon/log.ts";
import { memoryStateStore } from "../../src/daemon/state-file.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { testDaemon } from "../helpers/daemon-builder.ts";
import { DAEMON_KEY, type Harness, startHarness } from "../helpers/harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const managed = (hh: Harness) => hh.sim.engine.list().filter((q) => DEFAULT_PRIORITY.includes(q.name as never)).map((q) => q.name);
const managedPaused = (hh: Harness) => hh.sim.engine.list().filter((q) => q.isPaused && DEFAULT_PRIORITY.includes(q.name as never)).map((q) => q.name);
const runningWithWork = (hh: Harness) =>
  hh.sim.engine.list().filter((q) => DEFAULT_PRIORITY.includes(q.name as never) && !q.isPaused && q.counts.active + q.counts.waiting + q.counts.paused > 0);
const heldLines = (hh: Harness) => hh.log.lines.filter((l) => l.fields?.notice === "held" || /paused by someone else/.test(l.msg));
const partialLines = (hh: Harness) => hh.log.lines.filter((l) => l.fields?.kind === "partial-answer");

/** N = 1, smartSearch with a long backlog: the daemon pauses every other managed queue (12 on v3.1) and keeps smartSearch running. */
async function twelvePaused(): Promise<Harness> {
  const hh = await startHarness({ maxConcurrent: 1, pollMs: 10_000 });
  hh.sim.engine.enqueue("smartSearch", 50_000);
  await hh.advance(30_000);
  expect(managedPaused(hh).sort()).toEqual(managed(hh).filter((q) => q !== "smartSearch").sort());
  expect(managedPaused(hh)).toHaveLength(12);
  return hh;
}

/** Stops the daemon (its exit clean-up included) and the simulator; what stays paused after. */
async function stopAndLook(hh: Harness): Promise<string[]> {
  await hh.stop();
  h = undefined;
  return managedPaused(hh);
}

test("one answer listing no managed queue: no action on it, said once, nothing held, and the exit resumes all 12", async () => {
  h = await twelvePaused();
  const puts = h.requestsBy.PUT;
  h.sim.faults.set({ partialRate: 1, partialKeep: 0 }); // an empty list
  await h.advance(10_000); // exactly one look
  expect(h.requestsBy.PUT).toBe(puts);
  expect(partialLines(h)).toHaveLength(1);
  expect(partialLines(h)[0]!.level).toBe("warn");
  h.sim.faults.clear();
  await h.advance(120_000);
  expect(heldLines(h)).toEqual([]);
  expect(h.daemon.owned.held).toEqual([]);
  expect(h.daemon.owned.pausedByUs.sort()).toEqual(managedPaused(h).sort());
  expect(h.daemon.health.state).toBe("ok");
  const log = h.log;
  expect(await stopAndLook(h)).toEqual([]);
  expect(log.lines.at(-1)!.msg).toBe("exiting; resumed 12 queues the daemon had paused");
});

test("answers with random queues left out, for minutes, with uploads: nothing held, the cap kept, nothing left paused after the exit", async () => {
  h = await twelvePaused();
  h.sim.faults.set({ partialRate: 0.5, partialKeep: 0.5 });
  for (let i = 0; i < 12; i++) {
    h.sim.engine.upload({ photos: 20 });
    await h.advance(20_000);
    expect(runningWithWork(h).length).toBeLessThanOrEqual(1);
  }
  h.sim.faults.clear();
  await h.advance(60_000);
  expect(heldLines(h)).toEqual([]);
  expect(h.daemon.owned.held).toEqual([]);
  // Said once per run of suspect answers, not once per answer.
  const suspect = h.log.lines.filter((l) => l.fields?.kind === "partial-answer").length;
  const recovered = h.log.lines.filter((l) => l.msg.startsWith("Immich answers again")).length;
  expect(suspect).toBeGreaterThan(0);
  expect(suspect).toBeLessThanOrEqual(recovered + 1);
  expect(await stopAndLook(h)).toEqual([]);
});

test("no state file: a queue paused before the start and missing from the first answer is taken as the daemon's when it shows up, not held", async () => {
  // A previous daemon left library paused; the new one's first answer lacks it.
  h = await startHarness({
    maxConcurrent: 1,
    pollMs: 10_000,
    before: (sim) => {
      sim.engine.setPaused("library", true, "daemon");
      sim.faults.set({ hiddenQueues: ["library"] });
    },
  });
  h.sim.faults.clear();
  await h.advance(30_000);
  expect(heldLines(h)).toEqual([]);
  expect(h.daemon.owned.pausedByUs).toContain("library");
  expect(h.log.lines.some((l) => l.fields?.notice === "adopted-paused" && l.fields.queue === "library")).toBe(true);
  expect(await stopAndLook(h)).toEqual([]);
});

test("a server that lacks two queues for good: suspect for a minute, then taken at its word (said once); they come back paused and are still the daemon's", async () => {
  h = await twelvePaused();
  const gone = ["library", "integrityCheck"];
  h.sim.faults.set({ hiddenQueues: gone });
  const puts = h.requestsBy.PUT;
  // New work for a higher-priority queue: nothing is decided while the answers are suspect.
  h.sim.engine.enqueue("metadataExtraction", 3);
  h.sim.engine.setPaused("smartSearch", false, "daemon");
  await h.advance(SUSPECT_AFTER_MS - 10_000);
  expect(h.requestsBy.PUT).toBe(puts);
  expect(h.daemon.health.state).toBe("degraded");
  expect(partialLines(h)).toHaveLength(1);
  expect(partialLines(h)[0]!.msg).toContain("library, integrityCheck");
  await h.advance(30_000);
  // Taken at its word: one line, and the daemon decides again on what it is shown.
  const accepted = h.log.lines.filter((l) => l.fields?.kind === "queues-gone");
  expect(accepted).toHaveLength(1);
  expect(accepted[0]!.msg).toContain("library, integrityCheck");
  expect(h.daemon.health.state).toBe("ok");
  expect(h.daemon.owned.pausedByUs).toEqual(expect.arrayContaining(gone));
  await h.advance(60_000);
  // The server shows them again (an upgrade back), still paused: the daemon's, not a person's.
  h.sim.faults.clear();
  await h.advance(60_000);
  expect(heldLines(h)).toEqual([]);
  expect(h.daemon.owned.pausedByUs).toEqual(expect.arrayContaining(gone));
  expect(await stopAndLook(h)).toEqual([]);
});

test("SIGTERM while the answers lack the queues the daemon paused: the exit resumes them anyway", async () => {
  h = await twelvePaused();
  h.sim.faults.set({ hiddenQueues: managed(h).filter((q) => q !== "smartSearch") });
  await h.advance(10_000);
  const log = h.log;
  expect(await stopAndLook(h)).toEqual([]);
  expect(log.lines.at(-1)!.msg).toBe("exiting; resumed 12 queues the daemon had paused");
});

test("on exit, a queue the daemon paused that this server no longer has (an older version) is named once, not a failure", async () => {
  // The state file is from before a downgrade to v2.7, which has no integrityCheck queue.
  const clock = new VirtualClock(Date.UTC(2026, 10, 28, 12));
  const sim = await startSimulator({ clock, profile: "v2.7", seed: 1, keys: [{ key: DAEMON_KEY, label: "daemon", admin: true, scopes: ["all"] }] });
  try {
    sim.engine.setPaused("smartSearch", true, "daemon");
    const store = memoryStateStore();
    store.saved = { pausedByUs: ["integrityCheck", "smartSearch"], runningByUs: [], held: [] };
    const log = memoryLog();
    const daemon = testDaemon({ url: sim.url, apiKey: DAEMON_KEY, clock, log, store });
    const results = await daemon.shutdown();
    expect(results.map((r) => [r.action.queue, r.ok])).toEqual([["smartSearch", true]]);
    expect(log.lines.filter((l) => l.level === "error")).toEqual([]);
    const gone = log.lines.filter((l) => l.msg.includes("does not have"));
    expect(gone).toHaveLength(1);
    expect(gone[0]!.msg).toStartWith("integrityCheck: this Immich server does not have it");
    expect(log.lines.at(-1)!.msg).toBe("exiting; resumed 1 queue the daemon had paused");
    expect(store.saved!.pausedByUs).toEqual(["integrityCheck"]);
  } finally {
    await sim.stop();
  }
});
