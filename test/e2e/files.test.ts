// The compiled binary's files against a hostile or failing file system
// (issue 16 item 7): run as an unprivileged user (the image's uid 65532,
// through setpriv; root ignores permissions), its heartbeat and state
// directory turning read-only while it runs must leave a clean stop clean:
// the queues resumed, exit 0, and warnings naming what could not be written
// or removed, never "internal error". A HEALTH_FILE that is a directory is
// refused at start (exit 2), before anything is sent.

import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnv, ensureBinary, killLeftovers, runBinary, spawnProcess, waitUntil } from "./helpers.ts";
import { type E2ESim, KEYS, startE2ESim } from "./helpers-sim.ts";

setDefaultTimeout(20_000);
const UID = 65532;

let sim: E2ESim | undefined;
const dirs: string[] = [];
afterEach(async () => {
  killLeftovers();
  await sim?.stop();
  sim = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function cannotDropPrivileges(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root to run the binary as another user";
  if (!Bun.which("setpriv")) return "setpriv is not installed";
  return undefined;
}
const why = cannotDropPrivileges();

test(`its directory turning read-only while it runs: the stop is still clean (exit 0), with warnings${why ? ` (skipped: ${why})` : ""}`, async () => {
  if (why) return;
  sim = await startE2ESim({ speed: 10 });
  sim.sim.engine.enqueue("smartSearch", 5_000);
  const paused = sim.pausable().filter((q) => q !== "smartSearch");
  const top = mkdtempSync(join(tmpdir(), "ijd-e2e-files-"));
  dirs.push(top);
  chmodSync(top, 0o755);
  const d = join(top, "daemon");
  mkdirSync(d);
  chownSync(d, UID, UID);
  const env = cleanEnv({
    IMMICH_URL: sim.url,
    API_KEY: KEYS.daemon,
    POLL_INTERVAL: "0.2",
    HEALTH_FILE: join(d, "health.json"),
    STATE_FILE: join(d, "state.json"),
    TMPDIR: d,
  });
  const daemon = spawnProcess(["setpriv", `--reuid=${UID}`, `--regid=${UID}`, "--clear-groups", ensureBinary(), "run"], env);
  await waitUntil(() => sim!.managedPaused().length === paused.length && existsSync(join(d, "health.json")), "the daemon to pause the idle queues and beat");

  chmodSync(d, 0o555);
  daemon.signal("SIGTERM");
  const exit = await daemon.exited;

  expect(exit.stderr).not.toContain("internal error");
  expect(exit.code).toBe(0);
  expect(sim.managedPaused()).toEqual([]);
  expect(exit.stdout).toContain(`exiting; resumed ${paused.length} queues the daemon had paused`);
  expect(exit.stderr).toMatch(/WARN .*could not remove the heartbeat file \(HEALTH_FILE\)/);
});

test("a HEALTH_FILE that is a directory is refused at start: exit 2, one line naming it, nothing sent", async () => {
  sim = await startE2ESim({ speed: 10 });
  const d = mkdtempSync(join(tmpdir(), "ijd-e2e-files-"));
  dirs.push(d);
  const exit = await runBinary(["run"], cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon, HEALTH_FILE: d }));
  expect(exit.code).toBe(2);
  expect(exit.stderr).toContain("HEALTH_FILE");
  expect(exit.stderr).toContain(`${d} is a directory`);
  expect(sim.requests).toEqual([]);
});
