// `resume-all --own` (issue 16 item 2): the exit clean-up of a daemon that
// could not run its own (SIGKILL, a signal no Bun program can catch), run by
// the systemd unit's ExecStopPost=. It resumes what the state file says the
// daemon paused and nothing a person paused, in process against the
// simulator over HTTP.
import { afterAll, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runApp } from "../../src/cli/app.ts";
import { EXIT } from "../../src/cli/exit-codes.ts";
import { fileStateStore } from "../../src/daemon/state-file.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { type Simulator, startSimulator } from "../../src/simulator/server.ts";

const KEY = "resume-own-key-0001";
let sim: Simulator;
const dir = mkdtempSync(join(tmpdir(), "ijd-own-"));
afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await sim?.stop();
  sim = await startSimulator({ profile: "v3.1", clock: new VirtualClock(), keys: [{ key: KEY, label: "tool", admin: true, scopes: ["all"] }] });
});

async function run(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const stream = { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream;
  const code = await runApp({
    argv,
    env: { IMMICH_URL: sim.url, API_KEY: KEY, HEALTH_FILE: join(dir, "health.json"), ...env },
    stdout: stream,
    stderr: stream,
    clock: new VirtualClock(),
    signal: new AbortController().signal,
    readFile: (path) => readFileSync(path, "utf8"),
    random: () => 0.5,
    fetch,
    pid: 4242,
  });
  return { code, out: out.join("") };
}
const paused = () => sim.engine.list().filter((q) => q.isPaused).map((q) => q.name).sort();

test("resumes the daemon's pauses from the state file, keeps a person's (held, or never the daemon's) and the record of the holds", async () => {
  const stateFile = join(dir, "state-1.json");
  const store = fileStateStore(stateFile, sim.url);
  store.save({ pausedByUs: ["ocr", "smartSearch", "library"], runningByUs: ["sidecar"], held: ["videoConversion"] });
  for (const q of ["ocr", "smartSearch", "videoConversion", "faceDetection"]) sim.engine.setPaused(q, true, "someone");
  // library: the daemon paused it, then a person resumed it; nothing to do.

  const r = await run(["resume-all", "--own"], { STATE_FILE: stateFile });

  expect(r.code).toBe(EXIT.ok);
  expect(paused()).toEqual(["faceDetection", "videoConversion"]);
  expect(r.out).toContain("resumed ocr");
  expect(r.out).toContain("resumed smartSearch");
  expect(store.load().ownership).toEqual({ pausedByUs: [], runningByUs: ["sidecar"], held: ["videoConversion"] });
});

test("plain resume-all still resumes every paused managed queue, held ones too", async () => {
  const stateFile = join(dir, "state-2.json");
  fileStateStore(stateFile, sim.url).save({ pausedByUs: ["ocr"], runningByUs: [], held: ["videoConversion"] });
  for (const q of ["ocr", "videoConversion"]) sim.engine.setPaused(q, true, "someone");
  expect((await run(["resume-all"], { STATE_FILE: stateFile })).code).toBe(EXIT.ok);
  expect(paused()).toEqual([]);
});

test("no record of the daemon's pauses: nothing resumed, exit 0, one line", async () => {
  sim.engine.setPaused("ocr", true, "someone");
  const r = await run(["resume-all", "--own"], { STATE_FILE: join(dir, "none.json") });
  expect(r.code).toBe(EXIT.ok);
  expect(paused()).toEqual(["ocr"]);
  expect(r.out).toContain("the state file records no queue the daemon paused; nothing to resume");
  expect(sim.engine.recording().pauseChanges.filter((c) => c.actor === "tool")).toEqual([]);
});

test("without STATE_FILE: exit 2, one line saying what it needs, nothing sent", async () => {
  sim.engine.setPaused("ocr", true, "someone");
  const r = await run(["resume-all", "--own"], {});
  expect(r.code).toBe(EXIT.usage);
  expect(r.out).toContain("resume-all --own needs STATE_FILE");
  expect(paused()).toEqual(["ocr"]);
});
