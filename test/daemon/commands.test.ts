// The daemon's commands run in process (src/cli/app.ts, as src/main.ts calls
// it) against the simulator over real HTTP: what they tell the user beyond
// what the compiled-binary tests in test/e2e cover.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runApp } from "../../src/cli/app.ts";
import { EXIT } from "../../src/cli/exit-codes.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { type Simulator, startSimulator } from "../../src/simulator/server.ts";

const ADMIN_KEY = "admin-all-key-0001";
const OLD_KEY = "admin-jobs-key-0001";
const READ_ONLY_KEY = "admin-read-key-0001";

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ijd-cmd-"));
  sim = await startSimulator({
    profile: "v3.1",
    clock: new VirtualClock(),
    keys: [
      { key: ADMIN_KEY, label: "daemon", admin: true, scopes: ["all"] },
      // A key made before Immich 2.4: job.* scopes only.
      { key: OLD_KEY, label: "old", admin: true, scopes: ["job.read", "job.create"] },
      // Reads, but may not pause: found out at the first command.
      { key: READ_ONLY_KEY, label: "readonly", admin: true, scopes: ["job.read"] },
    ],
  });
});
afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[], env: Record<string, string>, signal = new AbortController().signal) {
  const out: string[] = [];
  const err: string[] = [];
  const stream = (into: string[]) => ({ write: (s: string) => into.push(s) }) as unknown as NodeJS.WritableStream;
  const code = await runApp({
    argv,
    env: { IMMICH_URL: sim.url, HEALTH_FILE: join(dir, "health.json"), ...env },
    stdout: stream(out),
    stderr: stream(err),
    clock: new VirtualClock(),
    signal,
    readFile: (path) => readFileSync(path, "utf8"),
    random: () => 0.5,
    fetch,
    pid: 4242,
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("in process", () => {
  test("`run` with a key that may read but not pause: exit 4 at the first refused pause, naming the scope, claiming no pause and trying no resume", async () => {
    const r = await run(["run"], { API_KEY: READ_ONLY_KEY });
    expect(r.code).toBe(EXIT.forbidden);
    const errors = r.stderr.trim().split("\n").filter((l) => / ERROR /.test(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("job.create");
    expect(r.stderr).not.toContain("left paused");
    expect(r.stdout).not.toContain("resumed");
    expect(sim.engine.recording().pauseChanges.some((c) => c.actor === "readonly")).toBe(false);
  });

  test("`once` with a key lacking queue.*: says it falls back to /api/jobs and which scopes to add, as `run` does", async () => {
    const r = await run(["once"], { API_KEY: OLD_KEY });
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        / WARN {2}the API key lacks queue\.read, so the deprecated \/api\/jobs is used; grant the key queue\.read and queue\.update/,
      ),
    ]);
    expect(sim.engine.recording().pauseChanges.some((c) => c.actor === "old")).toBe(true);
  });

  test("`resume-all` with a STATE_FILE that cannot be written: the queues are resumed, one warning, exit 0", async () => {
    sim.engine.setPaused("ocr", true, "person");
    const blocker = join(dir, "a-file");
    writeFileSync(blocker, "");
    const r = await run(["resume-all"], { API_KEY: ADMIN_KEY, STATE_FILE: join(blocker, "state.json") });
    expect(r.code).toBe(EXIT.ok);
    expect(sim.engine.list().filter((q) => q.isPaused && q.name !== "backgroundTask").map((q) => q.name)).toEqual([]);
    expect(r.stdout).toContain("resumed ocr");
    const warnings = r.stderr.trim().split("\n");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ WARN {2}could not write the state file: .*; make STATE_FILE's directory writable$/);
  });

  test.each(["once", "status"])("`%s` stopped by a signal before it finished: a graceful stop in one line, not an internal error", async (command) => {
    const stop = new AbortController();
    stop.abort();
    const r = await run([command], { API_KEY: ADMIN_KEY }, stop.signal);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^\S+ WARN {2}stopped by a signal before finishing\n$/);
  });

  test("`resume-all` stopped by a signal before it resumed anything: exit 7 and one line saying so (its whole job is to resume)", async () => {
    const stop = new AbortController();
    stop.abort();
    const r = await run(["resume-all"], { API_KEY: ADMIN_KEY }, stop.signal);
    expect(r.code).toBe(EXIT.leftPaused);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^\S+ ERROR stopped by a signal before anything was resumed; .*resume-all` again\n$/);
  });
});
