// Every signal whose default action ends a process (issue 16 item 2), sent
// by number to the compiled binary while it holds paused queues against the
// simulator, each as src/shared/signals.ts's table says:
// - a stop request (SIGTERM...): the graceful stop, exit 0;
// - any other catchable one (SIGALRM, SIGXCPU, SIGABRT...): the same graceful
//   stop, exit 128 + n, and a line naming the signal and the code;
// - the runtime's own (SIGPIPE, SIGXFSZ, SIGPWR): the daemon carries on, and
//   a SIGTERM afterwards still leaves nothing paused;
// - those no Bun program can catch (SIGSTKFLT, the real-time signals): they
//   end the process with the queues paused, as the table says; the next
//   start reconciles (shown), and as a container's PID 1 they never arrive
//   (shown in a PID namespace: the kernel drops a signal PID 1 has no
//   handler for).
// Faults (SIGSEGV, SIGBUS, SIGILL, SIGFPE) are left to Bun's crash handler
// and not sent here: its report is what the no-stack-trace check forbids.

import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { TERMINATING_SIGNALS, type TerminatingSignal } from "../../src/shared/signals.ts";
import { cleanEnv, type Daemon, ensureBinary, spawnBinary, spawnProcess, waitUntil } from "./helpers.ts";
import { type E2ESim, e2eSimsPerTest, KEYS } from "./helpers-sim.ts";

setDefaultTimeout(60_000);
const startE2E = e2eSimsPerTest();

const env = (sim: E2ESim) => cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon, POLL_INTERVAL: "0.2" });
const of = (h: TerminatingSignal["handling"]) => TERMINATING_SIGNALS.filter((s) => s.handling === h);

/** A simulator with a smartSearch backlog and `start` running against it until every other managed queue is paused. */
async function pausedBy(start: (sim: E2ESim) => Daemon): Promise<{ sim: E2ESim; d: Daemon; paused: string[] }> {
  const sim = await startE2E({ speed: 10 });
  sim.sim.engine.enqueue("smartSearch", 5_000);
  const paused = sim.pausable().filter((q) => q !== "smartSearch");
  const d = start(sim);
  await waitUntil(() => sim.managedPaused().length === paused.length, "the daemon to pause every idle managed queue", 15_000);
  return { sim, d, paused };
}
const daemonWithPausedQueues = () => pausedBy((sim) => spawnBinary(["run"], env(sim)));

/** Runs `each` over `items` a few at a time (a loaded 2-core machine). */
async function inBatches<T, R>(items: readonly T[], size: number, each: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(each))));
  return out;
}

test("the table covers every signal of signal(7) whose default action ends a process, once each", () => {
  const numbers = TERMINATING_SIGNALS.map((s) => s.number);
  // Term or Core on Linux: 1-8, 10-16, 24-27, 29-31, and every real-time signal 32-64 (glibc keeps 32 and 33).
  const expected = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 24, 25, 26, 27, 29, 30, 31, 32];
  for (let n = 34; n <= 64; n++) expected.push(n);
  expect(numbers).toEqual(expected);
});

describe.each([
  ["a stop request", "stop"],
  ["any other catchable signal", "abnormal"],
] as const)("%s", (_what, handling) => {
  test(`${of(handling).map((s) => s.name).join(", ")}: resume every queue the daemon paused, say so, exit ${handling === "stop" ? "0" : "128 + n"}`, async () => {
    const results = await inBatches(of(handling), 4, async (s) => {
      const { sim, d, paused } = await daemonWithPausedQueues();
      d.mark();
      d.proc.kill(s.number);
      const exit = await d.exited;
      return { s, sim, paused, exit };
    });
    for (const { s, sim, paused, exit } of results) {
      const code = handling === "stop" ? 0 : 128 + s.number;
      expect({ sig: s.name, code: exit.code, leftPaused: sim.managedPaused() }).toEqual({ sig: s.name, code, leftPaused: [] });
      expect(exit.stdout).toContain(`${s.name} received: stopping`);
      if (handling === "abnormal") expect(exit.stdout).toContain(`exit code ${code} once the clean-up is done`);
      expect(exit.stdout).toContain(`exiting; resumed ${paused.length} queues the daemon had paused`);
      expect(exit.stderr).not.toContain(" ERROR ");
      console.log(`${s.name} (${s.number}): exit ${exit.code} in ${exit.ms.toFixed(0)} ms, ${paused.length} queues resumed`);
    }
  });
});

test(`the runtime's own (${of("runtime").map((s) => s.name).join(", ")}): the daemon carries on; a SIGTERM later still leaves nothing paused`, async () => {
  const { sim, d, paused } = await daemonWithPausedQueues();
  for (const s of of("runtime")) {
    d.proc.kill(s.number);
    const seen = sim.requests.length;
    await waitUntil(() => sim.requests.length > seen + 2, `polls after ${s.name}`);
    expect({ sig: s.name, exited: d.proc.exitCode, paused: sim.managedPaused().length }).toEqual({ sig: s.name, exited: null, paused: paused.length });
  }
  d.signal("SIGTERM");
  const exit = await d.exited;
  expect(exit.code).toBe(0);
  expect(sim.managedPaused()).toEqual([]);
  expect(exit.stdout + exit.stderr).not.toMatch(/SIGPIPE|SIGXFSZ|SIGPWR/);
});

describe("the signals no Bun program can catch", () => {
  const sample = of("uncatchable").filter((s) => s.name !== "SIGKILL");

  test(`${sample.map((s) => s.number).join(", ")} end the process at once with the queues paused, as documented; the next start resumes them on its stop`, async () => {
    const results = await inBatches(sample, 6, async (s) => {
      const { sim, d, paused } = await daemonWithPausedQueues();
      process.kill(d.proc.pid, s.number); // Subprocess.kill refuses numbers above 31
      const exit = await d.exited;
      return { s, sim, paused, exit };
    });
    for (const { s, sim, paused, exit } of results) {
      // Killed by the signal itself (no exit code), with every queue the daemon paused still paused.
      expect({ sig: s.name, code: exit.code, killed: exit.signal !== null, left: sim.managedPaused().length }).toEqual({ sig: s.name, code: null, killed: true, left: paused.length });
    }
    // Recovery: a new start (no state file: it takes the paused queues as its own and says so) and a stop.
    const { sim, paused } = results[0]!;
    const again = spawnBinary(["run"], env(sim));
    await again.waitForOutput(/taking (it|them) as paused by the daemon/);
    again.signal("SIGTERM");
    const exit = await again.exited;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain(`resumed ${paused.length} queues`);
    expect(sim.managedPaused()).toEqual([]);
  });

  const pidNamespace = canUnsharePid();
  test(`as a container's PID 1 they never arrive: the daemon carries on, and SIGTERM still stops it cleanly${pidNamespace ? ` (skipped: ${pidNamespace})` : ""}`, async () => {
    if (pidNamespace) return;
    // The image runs the binary as PID 1 (no init); `unshare --pid` gives the same here.
    const { sim, d, paused } = await pausedBy((s) => spawnProcess(["unshare", "--pid", "--fork", "--kill-child", ensureBinary(), "run"], env(s)));
    const daemonPid = childOf(d.proc.pid);
    for (const s of sample) process.kill(daemonPid, s.number);
    const seen = sim.requests.length;
    await waitUntil(() => sim.requests.length > seen + 2, "polls after the signals");
    expect({ running: d.proc.exitCode === null, paused: sim.managedPaused().length }).toEqual({ running: true, paused: paused.length });
    d.mark();
    process.kill(daemonPid, "SIGTERM");
    const exit = await d.exited;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain("SIGTERM received: stopping");
    expect(sim.managedPaused()).toEqual([]);
  });
});

/** Why a PID namespace cannot be made here, or undefined. */
function canUnsharePid(): string | undefined {
  if (!Bun.which("unshare")) return "unshare is not installed";
  const probe = Bun.spawnSync(["unshare", "--pid", "--fork", "true"], { stdout: "ignore", stderr: "ignore" });
  return probe.exitCode === 0 ? undefined : "unshare --pid is not permitted here (needs root or user namespaces)";
}

/** The one child of `pid` (unshare's: the daemon, PID 1 in its namespace). */
function childOf(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
  if (children.length !== 1) throw new Error(`expected one child of ${pid}, found ${children.length}`);
  return Number(children[0]);
}
