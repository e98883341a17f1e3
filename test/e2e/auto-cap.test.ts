// Rule 15 in the compiled binary, as a real process against the simulator's
// modelled 2-core host (real time): MAX_CONCURRENT_JOBS=auto with
// TUNE_CONCURRENCY lowers the running queue's job concurrency when an import
// pushes the host's pressure over the target, says why in the log, the
// status page and /metrics, and the owner's values come back on SIGTERM, or
// after a kill -9 by `resume-all`, or by `resume-all` through the running
// daemon (CONTROL_TOKEN) while it keeps running; both pressure sources (PRESSURE_DIR's PSI
// files, PRESSURE_URL's node_exporter); bad settings exit 2 naming the
// variable; a key without systemConfig.* is refused at start, naming it.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../../src/shared/clock.ts";
import { type Simulator, startSimulator } from "../../src/simulator/server.ts";
import { cleanEnv, expectNoStackTrace, killLeftovers, runBinary, spawnBinary, waitUntil } from "./helpers.ts";
import { closedPort } from "./helpers-sim.ts";

setDefaultTimeout(60_000);

const KEY = "e2e-autocap-key";
/** An admin key that may pause and resume queues but not read or write the settings. */
const NO_CONFIG_KEY = "e2e-autocap-noconfig";

let sim: Simulator | undefined;
let dir: string | undefined;
afterEach(async () => {
  killLeftovers();
  await sim?.stop();
  sim = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function startHostSim(): Promise<{ sim: Simulator; psiDir: string }> {
  dir = mkdtempSync(join(tmpdir(), "ijd-e2e-autocap-"));
  const psiDir = join(dir, "psi");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(psiDir);
  sim = await startSimulator({
    profile: "v3.1",
    speed: 1, // the daemon's clock is the real one: the PSI counters must run at its pace
    seed: 42,
    host: "real-2core",
    psiDir,
    psiEveryMs: 100,
    exporterPort: 0,
    keys: [
      { key: KEY, label: "daemon", admin: true, scopes: ["all"] },
      { key: NO_CONFIG_KEY, label: "noconfig", admin: true, scopes: ["queue.read", "queue.update"] },
    ],
    onError: () => {},
  });
  sim.engine.setMachineLearning(false);
  return { sim, psiDir };
}

const concurrency = (q: string) => sim!.engine.concurrency(q);
const stateOf = (path: string) => JSON.parse(readFileSync(path, "utf8")) as { tuning?: { baseline: Record<string, number>; expected: Record<string, number> } };

/** The binary with auto and tuning against the host simulator's PSI files, a state file and the status server. */
const tuningEnv = (url: string, psiDir: string, stateFile: string, port: number, extra: Record<string, string> = {}) =>
  cleanEnv({
    IMMICH_URL: url,
    API_KEY: KEY,
    MAX_CONCURRENT_JOBS: "auto",
    TUNE_CONCURRENCY: "true",
    PRESSURE_DIR: psiDir,
    POLL_INTERVAL: "1",
    STATE_FILE: stateFile,
    STATUS_ADDR: `127.0.0.1:${port}`,
    ...extra,
  });

test("PRESSURE_DIR: an import lowers thumbnailGeneration's concurrency with its reason; page and metrics say so; kill -9, then resume-all puts the owner's value back", async () => {
  const { sim: s, psiDir } = await startHostSim();
  const stateFile = join(dir!, "state.json");
  const port = closedPort();
  const env = tuningEnv(s.url, psiDir, stateFile, port);
  const d = spawnBinary(["run"], env);
  await d.waitForOutput("TUNE_CONCURRENCY: the owner's job concurrency is", 15_000);
  s.engine.upload({ photos: 150 });
  await d.waitForOutput(/thumbnailGeneration concurrency 3 → \d: cpu some \d+ % above 40 % for \d+ s/, 30_000);
  // The log line comes with the decision; the write follows it.
  await waitUntil(() => concurrency("thumbnailGeneration") < 3, "thumbnailGeneration's concurrency lowered in Immich's settings");
  // The owner's values are in the state file before the first change.
  expect(stateOf(stateFile).tuning?.baseline.thumbnailGeneration).toBe(3);

  const base = `http://127.0.0.1:${port}`;
  type Status = { autoCap?: { n: number; range: { min: number; max: number }; queues: { name: string; concurrency: number; owner: number }[]; lastChange?: { reason: string } } };
  // The snapshot is published once the cycle that made the change is over.
  let status: Status = {};
  for (let i = 0; i < 100 && !status.autoCap?.lastChange; i++) {
    status = (await (await fetch(`${base}/api/status`)).json()) as Status;
    if (!status.autoCap?.lastChange) await systemClock.sleep(50);
  }
  expect(status.autoCap?.range).toEqual({ min: 1, max: 4 });
  expect(status.autoCap?.n).toBe(1);
  expect(status.autoCap?.queues.find((q) => q.name === "thumbnailGeneration")).toMatchObject({ owner: 3 });
  expect(status.autoCap?.lastChange?.reason).toMatch(/concurrency \d → \d: cpu some/);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  expect(metrics).toMatch(/^immich_job_daemon_queue_owner_concurrency\{queue="thumbnailGeneration"\} 3$/m);
  expect(metrics).toMatch(/^immich_job_daemon_host_pressure_target_percent\{resource="cpu"\} 40$/m);
  expect(metrics).toMatch(/^immich_job_daemon_slots_range_max 4$/m);

  // `status` in another process: the running daemon's N, and what it lowered against the owner's value.
  const st = await runBinary(["status"], env);
  expect(st.stdout).toMatch(/N 1 now, auto between 1 and 4, target cpu 40 %/);
  expect(st.stdout).toMatch(/job concurrency lowered by the daemon \(put back on exit, or by resume-all\): .*thumbnailGeneration \d \(owner's 3\)/);

  d.proc.kill("SIGKILL");
  await d.exited;
  expect(concurrency("thumbnailGeneration")).toBeLessThan(3); // nobody put it back

  const r = await runBinary(["resume-all"], env);
  expect(r.code).toBe(0);
  expectNoStackTrace(r);
  expect(r.stdout).toMatch(/thumbnailGeneration concurrency \d → 3: the owner's value, put back/);
  expect(concurrency("thumbnailGeneration")).toBe(3);
  expect(concurrency("metadataExtraction")).toBe(5);
  expect(stateOf(stateFile).tuning).toBeUndefined();
});

test("resume-all from the shell through the running daemon (CONTROL_TOKEN): the owner's concurrency is back while the daemon keeps running, nothing is tuned while hands-off; SIGTERM exits 0 with nothing left changed", async () => {
  const { sim: s, psiDir } = await startHostSim();
  const stateFile = join(dir!, "state.json");
  const port = closedPort();
  const TOKEN = "e2e-autocap-control-token-0123456789";
  const env = tuningEnv(s.url, psiDir, stateFile, port, { CONTROL_TOKEN: TOKEN });
  const d = spawnBinary(["run"], env);
  await d.waitForOutput("TUNE_CONCURRENCY: the owner's job concurrency is", 15_000);
  s.engine.upload({ photos: 300 });
  await d.waitForOutput(/thumbnailGeneration concurrency 3 → \d: cpu some \d+ % above 40 % for \d+ s/, 30_000);
  await waitUntil(() => concurrency("thumbnailGeneration") < 3, "thumbnailGeneration's concurrency lowered in Immich's settings");
  expect(stateOf(stateFile).tuning?.baseline.thumbnailGeneration).toBe(3);

  // The command line, with the token and the address only (no API key): it asks the running daemon.
  const r = await runBinary(["resume-all"], cleanEnv({ STATUS_ADDR: `127.0.0.1:${port}`, CONTROL_TOKEN: TOKEN }));
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("resume-all: every queue the daemon paused or holds will be resumed now");
  await d.waitForOutput(/concurrency \d → \d(, \w+ \d → \d)*: restored for hands-off \(asked by 127\.0\.0\.1 through the command line\)/, 10_000);
  expect(concurrency("thumbnailGeneration")).toBe(3);
  expect(concurrency("metadataExtraction")).toBe(5);
  expect(stateOf(stateFile).tuning).toBeUndefined();
  const restoredAt = s.engine.recording().concurrencyChanges.length;
  // The import goes on at the owner's concurrency, the host above the target: nothing is lowered while hands-off.
  const base = `http://127.0.0.1:${port}`;
  type Status = { autoCap?: { handsOff: boolean; queues: { name: string; concurrency: number; owner: number }[] } };
  let status: Status = {};
  for (let i = 0; i < 100 && !status.autoCap?.handsOff; i++) {
    status = (await (await fetch(`${base}/api/status`)).json()) as Status;
    if (!status.autoCap?.handsOff) await systemClock.sleep(50);
  }
  expect(status.autoCap?.handsOff).toBe(true);
  expect(status.autoCap?.queues.filter((q) => q.concurrency !== q.owner)).toEqual([]);
  await systemClock.sleep(4_000); // four polls
  expect(s.engine.isIdle()).toBe(false);
  expect(s.engine.recording().concurrencyChanges.slice(restoredAt)).toEqual([]);
  const st = await runBinary(["status"], env);
  expect(st.stdout).not.toContain("job concurrency lowered by the daemon");
  expect(st.stdout).toMatch(/the daemon is not managing the queues \(resume-all asked by 127\.0\.0\.1 through the command line\)/);

  d.signal("SIGTERM");
  const exit = await d.exited;
  expect(exit.code).toBe(0);
  expect(exit.stdout).not.toMatch(/concurrency \d → \d: the owner.s value, put back on exit/);
  expect(concurrency("thumbnailGeneration")).toBe(3);
  expect(concurrency("metadataExtraction")).toBe(5);
  expect(s.engine.recording().concurrencyChanges.slice(restoredAt)).toEqual([]);
  expect(stateOf(stateFile).tuning).toBeUndefined();
});

test("PRESSURE_URL: the node_exporter's counters drive the tuning; SIGTERM puts the owner's values back and exits 0", async () => {
  const { sim: s } = await startHostSim();
  const env = cleanEnv({ IMMICH_URL: s.url, API_KEY: KEY, MAX_CONCURRENT_JOBS: "auto:1-2", TUNE_CONCURRENCY: "yes", PRESSURE_URL: s.exporter!.url, POLL_INTERVAL: "1", STATE_FILE: join(dir!, "state.json") });
  const d = spawnBinary(["run"], env);
  await d.waitForOutput("TUNE_CONCURRENCY: the owner's job concurrency is", 15_000);
  s.engine.upload({ photos: 150 });
  await d.waitForOutput(/thumbnailGeneration concurrency 3 → \d: cpu some \d+ % above 40 % for \d+ s/, 30_000);
  await waitUntil(() => concurrency("thumbnailGeneration") < 3, "thumbnailGeneration's concurrency lowered in Immich's settings");
  d.signal("SIGTERM");
  const exit = await d.exited;
  expect(exit.code).toBe(0);
  expect(exit.stdout).toMatch(/thumbnailGeneration concurrency \d → 3: the owner's value, put back on exit/);
  expect(concurrency("thumbnailGeneration")).toBe(3);
  expect(concurrency("metadataExtraction")).toBe(5);
});

test("an outside load through POST /__simulator/host shows in the status's pressure figure from PRESSURE_URL; N stays at its lower bound", async () => {
  const { sim: s } = await startHostSim();
  const port = closedPort();
  const env = cleanEnv({ IMMICH_URL: s.url, API_KEY: KEY, MAX_CONCURRENT_JOBS: "auto:1-3", PRESSURE_URL: s.exporter!.url, POLL_INTERVAL: "1", STATUS_ADDR: `127.0.0.1:${port}` });
  const d = spawnBinary(["run"], env);
  await d.waitForOutput("connected to Immich", 15_000);
  s.engine.enqueue("library", 2_000);
  s.engine.enqueue("migration", 2_000);
  const res = await fetch(`${s.url}/__simulator/host`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ cores: 4, forSeconds: 30 }) });
  expect(res.status).toBe(200);
  type Status = { autoCap?: { n: number; pressure?: { cpu?: number }; source: string } };
  let status: Status = {};
  for (let i = 0; i < 100 && !((status.autoCap?.pressure?.cpu ?? 0) > 60); i++) {
    await systemClock.sleep(100);
    status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as Status;
  }
  expect(status.autoCap?.pressure?.cpu).toBeGreaterThan(60);
  expect(status.autoCap?.source).toBe(s.exporter!.url);
  expect(status.autoCap?.n).toBe(1);
  d.signal("SIGTERM");
  const exit = await d.exited;
  expect(exit.code).toBe(0);
  expect(exit.stdout).not.toMatch(/N 1 → 2/);
});

test("bad settings exit 2 naming the variable, before anything is sent", async () => {
  const { sim: s } = await startHostSim();
  const before = s.engine.recording().pauseChanges?.length ?? 0;
  const cases: [Record<string, string>, RegExp][] = [
    [{ MAX_CONCURRENT_JOBS: "auto:4-1" }, /MAX_CONCURRENT_JOBS="auto:4-1": the range 4-1 is upside down; write auto:1-4\./],
    [{ MAX_CONCURRENT_JOBS: "auto:0-2" }, /MAX_CONCURRENT_JOBS="auto:0-2": the range's lower bound must be at least 1, not 0\./],
    [{ MAX_CONCURRENT_JOBS: "auto", MAX_PRESSURE: "cpu=140" }, /MAX_PRESSURE="cpu=140": "140" for cpu is not a percentage above 0 and at most 100/],
    [{ MAX_CONCURRENT_JOBS: "auto", PRESSURE_URL: "ftp://nas/metrics" }, /PRESSURE_URL="ftp:\/\/nas\/metrics": must start with http:\/\/ or https:\/\/, not ftp:/],
    [{ MAX_CONCURRENT_JOBS: "auto", PRESSURE_DIR: join(dir!, "nowhere") }, /MAX_CONCURRENT_JOBS="auto": needs the host's pressure stall information, and .*nowhere\/cpu cannot be read \(ENOENT\): run the daemon on Immich's host/],
    [{ TUNE_CONCURRENCY: "true" }, /TUNE_CONCURRENCY="true": needs STATE_FILE \(or STATE_DIRECTORY\)/],
  ];
  for (const [vars, want] of cases) {
    const r = await runBinary(["run"], cleanEnv({ IMMICH_URL: s.url, API_KEY: KEY, ...vars }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(want);
    expectNoStackTrace(r);
  }
  expect(s.engine.recording().pauseChanges?.length ?? 0).toBe(before);
});

test("TUNE_CONCURRENCY with a key lacking systemConfig.read: refused at start, naming the permission (exit 4)", async () => {
  const { sim: s, psiDir } = await startHostSim();
  const r = await runBinary(["run"], cleanEnv({ IMMICH_URL: s.url, API_KEY: NO_CONFIG_KEY, TUNE_CONCURRENCY: "true", PRESSURE_DIR: psiDir, STATE_FILE: join(dir!, "state.json") }));
  expect(r.code).toBe(4);
  expect(r.stderr).toMatch(/the API key lacks the permission systemConfig\.read, which TUNE_CONCURRENCY needs: grant the key systemConfig\.read and systemConfig\.update/);
  expectNoStackTrace(r);
  expect(existsSync(psiDir)).toBe(true);
});
