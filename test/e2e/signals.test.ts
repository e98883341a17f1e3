// The compiled binary's graceful stop (DESIGN.md §2 rule 9): on a stop
// request (SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2; every other
// terminating signal is in signals-all.test.ts) it resumes every queue it
// paused and exits 0 within 2 s; when
// Immich is too slow it gives up after EXIT_TIMEOUT naming what stays
// paused; ON_EXIT=keep leaves them paused; a second signal ends it at once,
// naming what stays paused.

import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { cleanEnv, type Daemon, lines, spawnBinary, waitUntil } from "./helpers.ts";
import { type E2ESim, e2eSimsPerTest, KEYS } from "./helpers-sim.ts";

// Real processes on a loaded 2-core machine: more than Bun's default 5 s
// (bunfig.toml's [test] timeout is not applied by Bun 1.4.5).
setDefaultTimeout(15_000);

const startE2E = e2eSimsPerTest();

const env = (sim: E2ESim, extra: Record<string, string> = {}) =>
  cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon, POLL_INTERVAL: "0.2", ...extra });

/**
 * A simulator where smartSearch has a long backlog, and the binary running
 * against it until it has paused every other managed queue (they have no
 * work: rule 4) and keeps smartSearch running.
 */
async function daemonWithPausedQueues(extra: Record<string, string> = {}): Promise<{ sim: E2ESim; d: Daemon; paused: string[] }> {
  const sim = await startE2E({ speed: 10 });
  sim.sim.engine.enqueue("smartSearch", 5_000);
  const expected = sim.pausable().filter((q) => q !== "smartSearch");
  const d = spawnBinary(["run"], env(sim, extra));
  await waitUntil(() => sim.managedPaused().length === expected.length, "the daemon to pause every idle managed queue");
  expect(sim.managedPaused().sort()).toEqual([...expected].sort());
  expect(sim.changesBy("daemon").map((c) => c.queue).sort()).toEqual([...expected].sort());
  return { sim, d, paused: expected };
}

describe.each(["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const)("%s", (sig) => {
  test("exits 0 within 2 s and resumes every queue it paused", async () => {
    const { sim, d, paused } = await daemonWithPausedQueues();
    const before = sim.sim.engine.recording().pauseChanges.length;
    d.signal(sig);
    const exit = await d.exited;

    expect(exit.code).toBe(0);
    expect(exit.ms).toBeLessThan(2_000);
    expect(sim.managedPaused()).toEqual([]);
    const resumes = sim.sim.engine.recording().pauseChanges.slice(before);
    expect(resumes.every((c) => c.actor === "daemon" && !c.paused)).toBe(true);
    expect(resumes.map((c) => c.queue).sort()).toEqual([...paused].sort());
    expect(exit.stdout).toContain(`exiting; resumed ${paused.length} queues the daemon had paused`);
    expect(exit.stdout).toContain(`${sig} received: stopping`);
    // A signal landing mid-poll adds a warning (see the failing test below), never an error.
    expect(exit.stderr).not.toContain(" ERROR ");
    console.log(`${sig}: exited in ${exit.ms.toFixed(0)} ms after resuming ${paused.length} queues`);
  });
});

test("ON_EXIT=keep leaves the queues paused", async () => {
  const { sim, d, paused } = await daemonWithPausedQueues({ ON_EXIT: "keep" });
  const before = sim.sim.engine.recording().pauseChanges.length;
  d.signal("SIGTERM");
  const exit = await d.exited;

  expect(exit.code).toBe(0);
  expect(exit.ms).toBeLessThan(2_000);
  expect(sim.managedPaused().sort()).toEqual([...paused].sort());
  expect(sim.sim.engine.recording().pauseChanges.slice(before)).toEqual([]);
  expect(exit.stdout).toContain(`keeping ${paused.length} queues paused as ON_EXIT=keep says`);
});

describe("when Immich is too slow to answer", () => {
  /** Makes every answer take 20 s and waits until a poll is hanging on one. */
  async function slowImmich(sim: E2ESim) {
    sim.sim.faults.set({ latencyMs: 20_000 });
    const n = sim.requests.length;
    await waitUntil(() => sim.requests.length > n, "a poll sent after the latency was set");
  }

  test("one signal still exits within EXIT_TIMEOUT; the queues it could not resume are named with the way out (exit 7)", async () => {
    const { sim, d, paused } = await daemonWithPausedQueues({ REQUEST_TIMEOUT: "30", EXIT_TIMEOUT: "1" });
    await slowImmich(sim);
    d.signal("SIGTERM");
    const exit = await d.exited;

    expect(exit.code).toBe(7);
    expect(exit.ms).toBeLessThan(2_000);
    // One error line sums it up (each failed resume is also a warning before it).
    const errors = lines(exit.stderr).filter((l) => / ERROR /.test(l));
    expect(errors).toHaveLength(1);
    // The resumes went out and no answer came: they may have landed, so never "still paused" (issue 16).
    expect(errors[0]).toContain("perhaps paused (their resumes were sent but not answered)");
    for (const q of paused) expect(errors[0]).toContain(q);
    expect(errors[0]).toContain("resume-all");
    console.log(`SIGTERM with Immich hanging: exited ${exit.code} in ${exit.ms.toFixed(0)} ms`);
  });

  test("a second signal exits at once, during the clean-up, naming what stays paused (exit 7)", async () => {
    const { sim, d, paused } = await daemonWithPausedQueues({ REQUEST_TIMEOUT: "30" });
    await slowImmich(sim);
    const n = sim.requests.length;
    d.signal("SIGTERM");
    // The clean-up has begun once its own request reaches the server (the hanging poll was aborted).
    await waitUntil(() => sim.requests.length > n, "the exit clean-up's request");
    d.signal("SIGINT");
    const exit = await d.exited;

    expect(exit.code).toBe(7);
    // The clean-up alone would take its full 8 s budget against a 20 s answer.
    expect(exit.ms).toBeLessThan(1_000);
    const errors = lines(exit.stderr).filter((l) => / ERROR /.test(l));
    expect(errors).toHaveLength(1);
    for (const q of paused) expect(errors[0]).toContain(q);
    expect(errors[0]).toContain("stopped by a second signal");
    console.log(`second signal: exited ${exit.code} in ${exit.ms.toFixed(0)} ms`);
  });
});

// A stop requested while a request is in flight is not an outage nor a failed
// command: the daemon records ownership before sending and its exit clean-up
// observes afresh, so nothing is worth a warning.
describe("a stop during a request", () => {
  test("a signal during a poll is not reported as a failure to observe Immich", async () => {
    const { sim, d } = await daemonWithPausedQueues({ REQUEST_TIMEOUT: "30", EXIT_TIMEOUT: "1" });
    sim.sim.faults.set({ latencyMs: 20_000 });
    const n = sim.requests.length;
    await waitUntil(() => sim.requests.length > n, "a poll sent after the latency was set");
    d.signal("SIGTERM");
    const exit = await d.exited;
    expect(exit.stderr).not.toContain("cannot observe Immich");
  });

  test("a signal while a pause is being sent is not reported as a failed pause", async () => {
    const sim = await startE2E({ speed: 10 });
    sim.delay((r) => r.method === "PUT" && r.body.includes("true"), 20_000);
    const d = spawnBinary(["run"], env(sim, { REQUEST_TIMEOUT: "30" }));
    await waitUntil(() => sim.requests.some((r) => r.method === "PUT" && r.body.includes("true")), "the first pause sent");
    d.signal("SIGTERM");
    const exit = await d.exited;
    expect(exit.stderr).not.toContain("could not pause");
  });
});
