// Issue 16 item 3: the exit uses its time. SIGTERM during a short outage
// must not give up in 0.02 s with every queue paused: the clean-up retries
// with backoff inside EXIT_TIMEOUT. And after a second signal it never names
// as "still paused" a queue whose resume went out and may have landed. The
// daemon against the simulator over HTTP; time is virtual and moves only
// while the clean-up sleeps between tries (test/helpers/drive.ts).
import { afterEach, describe, expect, test } from "bun:test";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { EXIT_RETRY_BASE_MS } from "../../src/daemon/backoff.ts";
import { memoryLog } from "../../src/daemon/log.ts";
import { memoryStateStore } from "../../src/daemon/state-file.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { startSimulator, type Simulator } from "../../src/simulator/server.ts";
import { testDaemon } from "../helpers/daemon-builder.ts";
import { driveSleeps, sleepWatch } from "../helpers/drive.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";

const KEY = "daemon-key-0001";
let sim: Simulator | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  await h?.stop();
  h = undefined;
});

const managedOf = (s: Simulator) => s.engine.list().filter((q) => DEFAULT_PRIORITY.includes(q.name as never)).map((q) => q.name);
const pausedNow = (s: Simulator) => s.engine.list().filter((q) => q.isPaused && DEFAULT_PRIORITY.includes(q.name as never)).map((q) => q.name);

/**
 * A daemon that never connected (SIGTERM at start-up) holding, in its state
 * file, every managed queue as paused by it; each is paused on the server.
 */
async function pausedByStateFile(opts: { budgetMs?: number; fetch?: typeof fetch } = {}) {
  const clock = new VirtualClock(Date.UTC(2026, 10, 28, 12));
  sim = await startSimulator({ clock, profile: "v3.1", seed: 1, keys: [{ key: KEY, label: "daemon", admin: true, scopes: ["all"] }] });
  const queues = managedOf(sim);
  for (const q of queues) sim.engine.setPaused(q, true, "daemon");
  const store = memoryStateStore();
  store.saved = { pausedByUs: queues, runningByUs: [], held: [] };
  const log = memoryLog();
  const watch = sleepWatch(clock);
  const daemon = testDaemon({ url: sim.url, apiKey: KEY, clock: watch.clock, exitClock: watch.clock, log, store, ...(opts.budgetMs ? { shutdownTimeoutMs: opts.budgetMs } : {}) });
  return { sim, clock, watch, daemon, log, queues };
}

describe.each(["503", "refuse"] as const)("SIGTERM during a 3 s outage (%s)", (mode) => {
  test("before the first connection: the clean-up retries with backoff and resumes every queue within EXIT_TIMEOUT", async () => {
    const env = await pausedByStateFile();
    // Through the simulator's control endpoint, as any client would; then wait (for a condition,
    // in real time) until Immich is down: "refuse" closes the socket just after answering.
    const res = await fetch(`${env.sim.url}/__simulator/restart`, { method: "POST", body: JSON.stringify({ downMs: 3_000, mode }) });
    expect(res.status).toBe(200);
    const down = async () => fetch(`${env.sim.url}/api/server/ping`).then((r) => r.status !== 200, () => true);
    for (let i = 0; i < 500 && !(await down()); i++) await new Promise((r) => setTimeout(r, 2));
    expect(await down()).toBe(true);
    const t0 = env.clock.now();
    const results = await driveSleeps(env.clock, env.watch, env.daemon.shutdown());
    const took = env.clock.now() - t0;
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(pausedNow(env.sim)).toEqual([]);
    expect(took).toBeGreaterThanOrEqual(3_000);
    expect(took).toBeLessThan(8_000);
    expect(env.log.lines.at(-1)!.msg).toMatch(/^exiting; resumed \d+ queues the daemon had paused$/);
  });

  test("connected, with 12 queues paused: the same, and it kept trying at a backed-off pace", async () => {
    h = await startHarness({ maxConcurrent: 1, pollMs: 10_000 });
    h.sim.engine.enqueue("smartSearch", 50_000);
    await h.advance(30_000);
    expect(pausedNow(h.sim)).toHaveLength(12);
    const before = h.requests;
    h.sim.restart({ downMs: 3_000, mode });
    const t0 = h.clock.now();
    const hh = h;
    await hh.stop(); // SIGTERM: the run loop ends, then the exit clean-up
    h = undefined;
    expect(pausedNow(hh.sim)).toEqual([]);
    expect(hh.log.lines.at(-1)!.msg).toMatch(/^exiting; resumed 1[23] queues the daemon had paused$/);
    expect(hh.clock.now() - t0).toBeGreaterThanOrEqual(3_000);
    // Backoff from EXIT_RETRY_BASE_MS, doubling: a handful of rounds (one look, 12 resumes) in 3 s, not a storm.
    const rounds = (hh.requests - before) / 13;
    expect(rounds).toBeGreaterThan(1);
    expect(rounds).toBeLessThanOrEqual(Math.ceil(Math.log2(3_000 / EXIT_RETRY_BASE_MS)) + 2);
  });
});

test("an outage longer than EXIT_TIMEOUT: the clean-up tries until its budget is spent, then names the queues", async () => {
  const env = await pausedByStateFile({ budgetMs: 8_000 });
  env.sim.restart({ downMs: 60_000, mode: "503" });
  const t0 = env.clock.now();
  const results = await driveSleeps(env.clock, env.watch, env.daemon.shutdown());
  const took = env.clock.now() - t0;
  expect(took).toBeGreaterThan(6_000);
  expect(took).toBeLessThanOrEqual(8_000);
  expect(results.every((r) => !r.ok)).toBe(true);
  const line = env.log.lines.find((l) => l.level === "error")!.msg;
  expect(line).toContain(`${env.queues.join(", ")} still paused`);
  expect(line).toContain("resume-all");
});

test("a second signal while resumes are on their way: a queue whose resume went out is never named as still paused", async () => {
  // A proxy that passes every command to Immich at once but holds its answer back.
  let forwarded = 0;
  const hold = new AbortController();
  const clock = new VirtualClock(Date.UTC(2026, 10, 28, 12));
  sim = await startSimulator({ clock, profile: "v3.1", seed: 1, keys: [{ key: KEY, label: "daemon", admin: true, scopes: ["all"] }] });
  const s = sim;
  const front = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const res = await s.handler(req);
      if (req.method === "PUT") {
        forwarded++;
        await new Promise((r) => {
          const t = setTimeout(r, 30_000);
          hold.signal.addEventListener("abort", () => r(clearTimeout(t)));
        });
      }
      return res;
    },
  });
  try {
    const queues = ["smartSearch", "faceDetection"];
    for (const q of queues) s.engine.setPaused(q, true, "daemon");
    const store = memoryStateStore();
    store.saved = { pausedByUs: queues, runningByUs: [], held: [] };
    const log = memoryLog();
    const daemon = testDaemon({ url: `http://127.0.0.1:${front.port}`, apiKey: KEY, clock, log, store });
    const force = new AbortController();
    const done = daemon.shutdown(force.signal);
    const deadline = performance.now() + 5_000;
    while (forwarded < queues.length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    expect(pausedNow(s)).toEqual([]); // both resumes landed
    force.abort("SIGINT");
    const results = await done;
    expect(results.every((r) => !r.ok)).toBe(true); // not confirmed: the exit code still says so
    const line = log.lines.find((l) => l.level === "error")!.msg;
    expect(line).not.toContain("still paused");
    expect(line).toMatch(/(smartSearch, faceDetection|faceDetection, smartSearch) perhaps paused/);
    expect(line).toContain("resume-all");
  } finally {
    hold.abort();
    front.stop(true);
  }
});
