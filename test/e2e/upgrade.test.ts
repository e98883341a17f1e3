// An upgrade and a downgrade over the state file, with the compiled binary
// against the simulator. Upgrade: the file 0.1.0 left when stopped with
// ON_EXIT=keep (test/fixtures/state), with the server as it left it (its ten
// pauses, and the queue a person paused while the daemon ran it): this version
// takes the ten as its own and the person's as held, and on SIGTERM resumes
// its own and leaves only the person's paused. Downgrade: a file of a newer
// format is read for what this version understands, or ignored, with one line,
// never a crash.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnv, ensureBinary, killLeftovers, spawnBinary, waitUntil } from "./helpers.ts";
import { type E2ESim, KEYS, startE2ESim } from "./helpers-sim.ts";

setDefaultTimeout(20_000);

interface StateFile {
  version: number;
  writtenBy?: string;
  immichUrl: string;
  pausedByUs: string[];
  runningByUs: string[];
  held: string[];
}

const FIXTURE = JSON.parse(readFileSync(join(import.meta.dir, "../fixtures/state/v1-written-by-0.1.0.json"), "utf8")) as StateFile;

let s: E2ESim | undefined;
let dir: string | undefined;
afterEach(async () => {
  killLeftovers();
  await s?.stop();
  s = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Pauses `queue` through the API with `key`, as the old daemon or a person did. */
async function pause(sim: E2ESim, key: string, queue: string): Promise<void> {
  const res = await fetch(`${sim.url}/api/queues/${queue}`, {
    method: "PUT",
    headers: { "x-api-key": key, "content-type": "application/json" },
    body: JSON.stringify({ isPaused: true }),
  });
  expect(res.status).toBe(200);
}

/** A simulator, and a state file holding `state(its URL)`. */
async function setUp(state: (url: string) => unknown): Promise<{ sim: E2ESim; stateFile: string; env: Record<string, string> }> {
  const sim = (s = await startE2ESim({ speed: 10 }));
  dir = mkdtempSync(join(tmpdir(), "ijd-e2e-upgrade-"));
  const stateFile = join(dir, "state.json");
  writeFileSync(stateFile, JSON.stringify(state(sim.url), null, 2) + "\n");
  const env = cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon, POLL_INTERVAL: "0.2", MAX_CONCURRENT_JOBS: "2", STATE_FILE: stateFile });
  return { sim, stateFile, env };
}

const readState = (path: string) => JSON.parse(readFileSync(path, "utf8")) as StateFile;

describe("upgrading from 0.1.0", () => {
  test("the state file 0.1.0 left with its pauses kept: ownership kept, the person's pause held, nothing of the daemon's left paused on SIGTERM", async () => {
    // The fixture as written, pointing at this simulator.
    const { sim, stateFile, env } = await setUp((url) => ({ ...FIXTURE, immichUrl: url }));
    expect(FIXTURE).toMatchObject({ version: 1, held: ["metadataExtraction"] });
    expect(FIXTURE.writtenBy).toBeUndefined();
    // The server as 0.1.0 left it.
    for (const q of FIXTURE.pausedByUs) await pause(sim, KEYS.daemon, q);
    await pause(sim, KEYS.person, "metadataExtraction");
    const ownPauses = [...FIXTURE.pausedByUs].sort();
    expect(sim.managedPaused().sort()).toEqual([...ownPauses, "metadataExtraction"].sort());
    // Work for the queues it paused, so it resumes some of them in turn.
    sim.sim.engine.upload({ photos: 20, videos: 1 });
    const mark = sim.sim.engine.recording().pauseChanges.length;

    const d = spawnBinary(["run"], env);
    await d.waitForOutput("connected to Immich", 10_000);
    const resumedSince = () => sim.sim.engine.recording().pauseChanges.slice(mark).filter((c) => c.actor === "daemon" && !c.paused).map((c) => c.queue);
    await waitUntil(() => resumedSince().length > 0, "the daemon to resume one of its own pauses for the new work", 10_000);
    // It read the file: no line about it, no queue adopted at start, none taken for a person's.
    const output = d.stdout() + d.stderr();
    expect(output).not.toContain("STATE_FILE");
    expect(output).not.toContain("was paused at start");
    for (const q of ownPauses) expect(output).not.toContain(`${q} was paused by someone else`);
    // It rewrote the file in this version's format, the person's pause still held.
    await waitUntil(() => readState(stateFile).writtenBy !== undefined, "the state file rewritten");
    const version = Bun.spawnSync([ensureBinary(), "--version"], { stdout: "pipe" }).stdout.toString().trim();
    expect(readState(stateFile)).toMatchObject({ version: 1, writtenBy: version, immichUrl: sim.url, held: ["metadataExtraction"] });
    expect(resumedSince()).not.toContain("metadataExtraction");

    d.signal("SIGTERM");
    const exit = await d.exited;
    expect(exit.code).toBe(0);
    // Everything the daemon paused (0.1.0's pauses included) is resumed; the person's pause stays.
    expect(sim.managedPaused()).toEqual(["metadataExtraction"]);
    expect(sim.changesBy("daemon").filter((c) => c.queue === "metadataExtraction")).toEqual([]);
    expect(readState(stateFile)).toMatchObject({ pausedByUs: [], held: ["metadataExtraction"] });
  });
});

describe("downgrading: a state file of a newer format", () => {
  test("with the keys this version reads: read, with one line naming the writer, and the daemon runs", async () => {
    const { sim, stateFile, env } = await setUp((url) => ({ version: 2, writtenBy: "2.0.0", immichUrl: url, pausedByUs: ["ocr"], runningByUs: [], held: ["smartSearch"], control: { holds: [] } }));
    await pause(sim, KEYS.daemon, "ocr");
    await pause(sim, KEYS.person, "smartSearch");
    const d = spawnBinary(["run"], env);
    await d.waitForOutput("connected to Immich", 10_000);
    expect(d.stderr() + d.stdout()).toContain(
      `WARN  STATE_FILE ${stateFile} was written by immich-job-daemon 2.0.0 in state format 2; this is `,
    );
    // The person's pause from the newer version's file is still respected.
    await waitUntil(() => sim.managedPaused().length >= sim.pausable().length - 2, "the idle queues paused");
    d.signal("SIGTERM");
    expect((await d.exited).code).toBe(0);
    expect(sim.managedPaused()).toEqual(["smartSearch"]);
    expect(readState(stateFile)).toMatchObject({ version: 1, held: ["smartSearch"] });
  });

  test("without them: ignored with one line, and the daemon runs as without a file", async () => {
    const { sim, stateFile, env } = await setUp(() => ({ version: 5, immichUrl: "http://elsewhere", owned: { x: 1 } }));
    const d = spawnBinary(["run"], env);
    await d.waitForOutput("connected to Immich", 10_000);
    expect(d.stderr() + d.stdout()).toContain(
      `STATE_FILE ${stateFile} was written by a newer immich-job-daemon in state format 5, which this version (`,
    );
    // At rest with MAX_CONCURRENT_JOBS=2, two queues stand by for uploads (storageTemplateMigration passes through); the rest are paused.
    await waitUntil(() => sim.managedPaused().length === sim.pausable().length - 2, "the idle queues paused");
    d.signal("SIGTERM");
    const exit = await d.exited;
    expect(exit.code).toBe(0);
    expect(sim.managedPaused()).toEqual([]);
  });
});
