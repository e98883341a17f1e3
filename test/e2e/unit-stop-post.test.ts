// The systemd unit's ExecStopPost= (issue 16 item 2), run as systemd would
// run it after the main process ended: its shell line, with systemd's
// $EXIT_CODE/$EXIT_STATUS and the service's environment, against the
// simulator. After a SIGKILL (the daemon's own clean-up never ran) it
// resumes what the state file says the daemon paused and keeps a person's
// pause; after a clean stop it does nothing.

import { expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnv, ensureBinary, ROOT, spawnBinary, waitUntil } from "./helpers.ts";
import { e2eSimsPerTest, KEYS } from "./helpers-sim.ts";

setDefaultTimeout(20_000);
const startE2E = e2eSimsPerTest();
const INSTALLED = "/usr/local/bin/immich-job-daemon";

/** The unit's ExecStopPost= as the shell gets it: systemd's `$$` is a `$`, the single quotes group one argument. */
function stopPostScript(): string {
  const unit = readFileSync(join(ROOT, "deploy/immich-job-daemon.service"), "utf8");
  const m = /^ExecStopPost=\/bin\/sh -c '([^']*)'$/m.exec(unit);
  if (!m) throw new Error("the unit has no ExecStopPost=/bin/sh -c '...' line");
  expect(m[1]).toContain(`${INSTALLED} resume-all --own`);
  return m[1]!.replaceAll("$$", "$").replaceAll(INSTALLED, ensureBinary());
}

async function runStopPost(env: Record<string, string>): Promise<number> {
  const p = Bun.spawn(["/bin/sh", "-c", stopPostScript()], { env, stdout: "pipe", stderr: "pipe" });
  return await p.exited;
}

test("after a SIGKILL it resumes the daemon's pauses, not a person's; after a clean stop it does nothing", async () => {
  const sim = await startE2E({ speed: 10 });
  sim.sim.engine.enqueue("smartSearch", 5_000);
  const dir = mkdtempSync(join(tmpdir(), "ijd-e2e-unit-"));
  try {
    // As the unit runs it: the state file in $STATE_DIRECTORY.
    const env = cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon, POLL_INTERVAL: "0.2", STATE_DIRECTORY: dir });
    const d = spawnBinary(["run"], env);
    const idle = sim.pausable().filter((q) => q !== "smartSearch");
    await waitUntil(() => sim.managedPaused().length === idle.length, "the daemon to pause the idle queues");
    // A person pauses the queue the daemon runs: held, never to be resumed by it.
    expect(await sim.person("smartSearch", true)).toBe(200);
    const held = () => (JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as { held: string[] }).held;
    await waitUntil(() => held().includes("smartSearch"), "the hold in the state file");

    d.proc.kill("SIGKILL");
    expect((await d.exited).signal).toBe("SIGKILL");
    // The daemon may have given the held queue's slot to another one: what counts is what stays paused.
    const pausedAtKill = sim.managedPaused();
    expect(pausedAtKill).toContain("smartSearch");
    expect(pausedAtKill.length).toBeGreaterThanOrEqual(idle.length);

    // A clean exit: nothing runs (the queues stay as they are).
    expect(await runStopPost({ ...env, SERVICE_RESULT: "success", EXIT_CODE: "exited", EXIT_STATUS: "0" })).toBe(0);
    expect(await runStopPost({ ...env, SERVICE_RESULT: "exit-code", EXIT_CODE: "exited", EXIT_STATUS: "142" })).toBe(0);
    expect(sim.managedPaused()).toEqual(pausedAtKill);

    // Killed: the daemon's pauses are resumed, the person's stays.
    expect(await runStopPost({ ...env, SERVICE_RESULT: "signal", EXIT_CODE: "killed", EXIT_STATUS: "KILL" })).toBe(0);
    expect(sim.managedPaused()).toEqual(["smartSearch"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
