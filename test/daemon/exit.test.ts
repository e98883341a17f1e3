// The exit clean-up (issue 7 items 2, 4 and 8): it fits a slow Immich inside
// EXIT_TIMEOUT with concurrent resumes, says exit 7 only for resumes that
// truly failed, stops at once on a second signal naming what stays paused,
// connects first if the daemon never did, and never touches a queue outside
// MANAGED_QUEUES whatever the state file says. The daemon against the
// simulator over HTTP.
import { afterEach, expect, test } from "bun:test";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import type { Ownership } from "../../src/core/types.ts";
import { memoryLog } from "../../src/daemon/log.ts";
import { memoryStateStore } from "../../src/daemon/state-file.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { testDaemon } from "../helpers/daemon-builder.ts";
import { driveSleeps, sleepWatch } from "../helpers/drive.ts";
import { startSimulator, type Simulator } from "../../src/simulator/server.ts";
import { closedPort } from "../e2e/helpers-sim.ts";

const KEY = "daemon-key-0001";
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function setUp(opts: { saved: Ownership; pausedBy?: Record<string, string>; budgetMs?: number; url?: string }) {
  const clock = new VirtualClock(Date.UTC(2026, 10, 28, 12));
  sim = await startSimulator({ clock, profile: "v3.1", seed: 1, keys: [{ key: KEY, label: "daemon", admin: true, scopes: ["all"] }] });
  for (const [queue, actor] of Object.entries(opts.pausedBy ?? {})) sim.engine.setPaused(queue, true, actor);
  const store = memoryStateStore();
  store.saved = opts.saved;
  const log = memoryLog();
  // The clean-up waits between tries on the daemon's clock: `drive` moves virtual time for it.
  const watch = sleepWatch(clock);
  const daemon = testDaemon({ url: opts.url ?? sim.url, apiKey: KEY, clock: watch.clock, exitClock: watch.clock, log, store, ...(opts.budgetMs ? { shutdownTimeoutMs: opts.budgetMs } : {}) });
  const drive = <T>(work: Promise<T>) => driveSleeps(clock, watch, work);
  return { sim, daemon, log, store, drive };
}

const managed = (s: Simulator) => s.engine.list().filter((q) => DEFAULT_PRIORITY.includes(q.name as never)).map((q) => q.name);
const pausedNow = (s: Simulator) => s.engine.list().filter((q) => q.isPaused).map((q) => q.name);

test("1 s of latency per request: every queue the daemon paused is resumed inside the default budget, concurrently", async () => {
  const env = await setUp({ saved: { pausedByUs: [], runningByUs: [], held: [] } });
  const queues = managed(env.sim);
  await env.sim.stop();
  const saved = { pausedByUs: queues, runningByUs: [], held: [] };
  const { daemon, log } = await setUp({ saved, pausedBy: Object.fromEntries(queues.map((q) => [q, "daemon"])) });
  sim!.faults.set({ latencyMs: 1_000 });
  const started = performance.now();
  const results = await daemon.shutdown();
  const took = performance.now() - started;
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(pausedNow(sim!)).toEqual([]);
  // connect (ping, version, a check) + one look + one round of resumes, not one resume after another.
  expect(took).toBeLessThan(7_000);
  expect(log.lines.at(-1)!.msg).toBe(`exiting; resumed ${queues.length} queues the daemon had paused`);
}, 20_000);

test("a second signal cuts the clean-up short and the one line names every queue left paused", async () => {
  const queues = ["smartSearch", "faceDetection"];
  const { daemon, log } = await setUp({ saved: { pausedByUs: queues, runningByUs: [], held: [] }, pausedBy: { smartSearch: "daemon", faceDetection: "daemon" } });
  sim!.faults.set({ latencyMs: 20_000 });
  const force = new AbortController();
  setTimeout(() => force.abort("SIGINT"), 100);
  const started = performance.now();
  const results = await daemon.shutdown(force.signal);
  expect(performance.now() - started).toBeLessThan(1_000);
  expect(results.every((r) => !r.ok)).toBe(true);
  const line = log.lines.find((l) => l.level === "error")!.msg;
  expect(line).toContain("smartSearch, faceDetection still paused");
  expect(line).toContain("stopped by a second signal");
  expect(line).toContain("resume-all");
});

test("a stop before the first connection, with a state file: the clean-up connects first and resumes", async () => {
  const { daemon, log } = await setUp({ saved: { pausedByUs: ["smartSearch"], runningByUs: [], held: [] }, pausedBy: { smartSearch: "daemon" } });
  const results = await daemon.shutdown();
  expect(results.map((r) => [r.action.queue, r.ok])).toEqual([["smartSearch", true]]);
  expect(pausedNow(sim!)).toEqual([]);
  expect(log.lines.map((l) => l.msg).join("\n")).not.toContain("must succeed");
});

test("a stop before the first connection while Immich is down: the queues are named, with why", async () => {
  const { daemon, log, drive } = await setUp({
    saved: { pausedByUs: ["smartSearch"], runningByUs: [], held: [] },
    url: `http://127.0.0.1:${closedPort()}`,
    budgetMs: 1_000,
  });
  const results = await drive(daemon.shutdown());
  expect(results.map((r) => [r.action.queue, r.ok])).toEqual([["smartSearch", false]]);
  const line = log.lines.find((l) => l.level === "error")!.msg;
  expect(line).toContain("smartSearch still paused");
  expect(line).toContain("Immich did not answer");
  expect(line).not.toContain("must succeed");
});

test("a state file from another configuration: its unmanaged entries are reported and dropped, never resumed", async () => {
  // `notifications` is not managed (a protected queue); a person paused it.
  const { daemon, log, store } = await setUp({
    saved: { pausedByUs: ["notifications", "smartSearch"], runningByUs: ["backupDatabase"], held: [] },
    pausedBy: { notifications: "person", smartSearch: "daemon" },
  });
  expect(log.lines[0]!.level).toBe("warn");
  expect(log.lines[0]!.msg).toContain("names notifications, backupDatabase, which MANAGED_QUEUES does not");
  expect(daemon.owned.pausedByUs).toEqual(["smartSearch"]);
  await daemon.shutdown();
  expect(pausedNow(sim!)).toEqual(["notifications"]);
  expect(sim!.engine.recording().pauseChanges.filter((c) => c.queue === "notifications" && c.actor === "daemon")).toEqual([]);
  expect(store.saved!.pausedByUs).toEqual([]);
});
