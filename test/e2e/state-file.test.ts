// STATE_FILE across a restart of the compiled binary (DESIGN.md §2 rule 8):
// a queue a person paused while the daemon ran it stays paused through a stop
// and a new start, and the file on disk is valid JSON at every step.

import { afterEach, expect, test, setDefaultTimeout } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnv, killLeftovers, spawnBinary, waitUntil } from "./helpers.ts";
import { type E2ESim, KEYS, startE2ESim } from "./helpers-sim.ts";

// Real processes on a loaded 2-core machine: more than Bun's default 5 s
// (bunfig.toml's [test] timeout is not applied by Bun 1.4.5).
setDefaultTimeout(15_000);

let s: E2ESim | undefined;
let dir: string | undefined;
afterEach(async () => {
  killLeftovers();
  await s?.stop();
  s = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

interface StateFile {
  version: number;
  immichUrl: string;
  pausedByUs: string[];
  runningByUs: string[];
  held: string[];
}

const readState = (path: string) => JSON.parse(readFileSync(path, "utf8")) as StateFile;

test("a person's pause survives the daemon's restart and its exits", async () => {
  const sim = (s = await startE2ESim({ speed: 10 }));
  dir = mkdtempSync(join(tmpdir(), "ijd-e2e-state-"));
  // In a directory that does not exist yet: the daemon makes it.
  const stateFile = join(dir, "sub", "state.json");
  const env = cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon, POLL_INTERVAL: "0.2", STATE_FILE: stateFile });
  const e = sim.sim.engine;
  e.enqueue("smartSearch", 5_000);

  // First run: the daemon runs smartSearch (it has the only work) and pauses the rest.
  const first = spawnBinary(["run"], env);
  await waitUntil(() => sim.managedPaused().length === sim.pausable().length - 1, "the idle queues paused");
  expect(e.get("smartSearch")!.isPaused).toBe(false);
  // Ownership is recorded before the daemon acts, so smartSearch is its own by now.
  await waitUntil(() => {
    try {
      return readState(stateFile).runningByUs.includes("smartSearch");
    } catch {
      return false;
    }
  }, "smartSearch in the state file as the daemon's");

  // A person pauses it with their own key; the daemon notices and holds it.
  const pausedAt = e.now();
  expect(await sim.person("smartSearch", true)).toBe(200);
  await first.waitForOutput("paused by someone else");
  await waitUntil(() => readState(stateFile).held.includes("smartSearch"), "smartSearch held in the state file");
  first.signal("SIGTERM");
  const exit1 = await first.exited;
  expect(exit1.code).toBe(0);

  const saved = readState(stateFile);
  expect(saved).toMatchObject({ version: 1, immichUrl: sim.url, held: ["smartSearch"], pausedByUs: [] });
  expect(e.get("smartSearch")!.isPaused).toBe(true);
  expect(sim.managedPaused()).toEqual(["smartSearch"]);

  // Second run. The first exit resumed every queue the daemon had paused;
  // now faceDetection has work too. Once the daemon has paused the idle
  // queues again, a full cycle has run with smartSearch's hold loaded.
  // smartSearch's last active jobs finish first, so that its draining slot
  // does not make the daemon pause faceDetection for the cap (rule 2).
  await waitUntil(() => e.get("smartSearch")!.counts.active === 0, "smartSearch to drain");
  e.enqueue("faceDetection", 5_000);
  const mark = e.recording().pauseChanges.length;
  const idle = sim.pausable().filter((q) => q !== "smartSearch" && q !== "faceDetection");
  const pausedSince = () => new Set(e.recording().pauseChanges.slice(mark).filter((c) => c.actor === "daemon" && c.paused).map((c) => c.queue));
  const second = spawnBinary(["run"], env);
  await waitUntil(() => idle.every((q) => pausedSince().has(q)), "the daemon to pause the idle queues again");
  expect([...pausedSince()].sort()).toEqual([...idle].sort());
  expect(e.get("faceDetection")!.isPaused).toBe(false);
  expect(e.get("smartSearch")!.isPaused).toBe(true);
  // A restart without the file would have adopted smartSearch as its own pause.
  expect(second.stdout()).not.toContain("smartSearch was paused at start");
  second.signal("SIGTERM");
  const exit2 = await second.exited;
  expect(exit2.code).toBe(0);
  expect(exit2.ms).toBeLessThan(2_000);

  // Through both exits the daemon never resumed what the person paused.
  const resumedByDaemon = sim.changesBy("daemon").filter((c) => c.queue === "smartSearch" && !c.paused && c.at >= pausedAt);
  expect(resumedByDaemon).toEqual([]);
  expect(sim.managedPaused()).toEqual(["smartSearch"]);
  expect(readState(stateFile)).toMatchObject({ version: 1, held: ["smartSearch"], pausedByUs: [] });
});
