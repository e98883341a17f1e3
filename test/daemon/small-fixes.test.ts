// The smaller findings of issue 7 (item 8), each as it was reproduced:
// prototype names as queue names, STATE_FILE/HEALTH_FILE in a missing or
// unusable directory, a huge MAX_CONCURRENT_JOBS, `bogus --help`, a
// heartbeat left by a killed daemon, a temporary file left by a failed rename.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runApp } from "../../src/cli/app.ts";
import { loadConfig } from "../../src/config/index.ts";
import { checkHeartbeat, heartbeatWriter } from "../../src/daemon/heartbeat.ts";
import { writeFileAtomic } from "../../src/shared/atomic-write.ts";
import { VirtualClock } from "../../src/shared/clock.ts";

const KEY = "small-fixes-key-0001";
const dir = mkdtempSync(join(tmpdir(), "ijd-small-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function app(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const stream = { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream;
  const code = await runApp({
    argv,
    // A closed port: nothing must be sent anyway when the configuration is refused.
    env: { IMMICH_URL: "http://127.0.0.1:9", API_KEY: KEY, HEALTH_FILE: join(dir, "h.json"), ...env },
    stdout: stream,
    stderr: stream,
    clock: new VirtualClock(),
    signal: AbortSignal.timeout(2_000),
    readFile: () => "",
    random: () => 0.5,
    fetch: (() => Promise.reject(new Error("nothing may be sent"))) as unknown as typeof fetch,
    pid: process.pid,
  });
  return { code, text: out.join("") };
}

test("object prototype names as queue names: no `function Object()` in a message, toString not taken for a protected queue", () => {
  const managed = loadConfig({ API_KEY: KEY, MANAGED_QUEUES: "sidecar,constructor,hasOwnProperty,valueOf" }, () => "");
  expect(managed.ok).toBe(true);
  // Not a queue name at all (underscores), said plainly.
  const proto = loadConfig({ API_KEY: KEY, MANAGED_QUEUES: "sidecar,__proto__" }, () => "");
  expect(JSON.stringify(proto)).toContain('\\"__proto__\\" is not a queue name');
  const unsafe = loadConfig({ API_KEY: KEY, UNSAFE_QUEUES: "toString,constructor" }, () => "");
  expect(unsafe.ok).toBe(false);
  const text = JSON.stringify(unsafe);
  expect(text).toContain("toString, constructor are not protected queues");
  expect(text).not.toContain("function");
  expect(text).not.toContain("native code");
});

test("a huge MAX_CONCURRENT_JOBS is refused, not logged as 1e+23", () => {
  const r = loadConfig({ API_KEY: KEY, MAX_CONCURRENT_JOBS: "100000000000000000000000" }, () => "");
  expect(r.ok).toBe(false);
  expect(JSON.stringify(r)).toContain("must be at most 1000");
  expect(JSON.stringify(r)).not.toContain("e+23");
});

test("`bogus --help` is an unknown command (exit 2), not help", async () => {
  const r = await app(["bogus", "--help"], {});
  expect(r.code).toBe(2);
  expect(r.text).toContain('unknown command "bogus"');
});

test.each([
  ["HEALTH_FILE", () => join(dir, "missing", "h.json"), "does not exist"],
  ["STATE_FILE", () => { const f = join(dir, "a-file"); writeFileSync(f, ""); return join(f, "sub", "state.json"); }, "cannot create the directory"],
  ["HEALTH_FILE", () => { const f = join(dir, "b-file"); writeFileSync(f, ""); return join(f, "h.json"); }, "is not a directory"],
])("`run` with %s in an unusable directory: exit 2 at start naming it, nothing sent", async (variable, path, problem) => {
  for (const command of variable === "STATE_FILE" ? ["run", "once"] : ["run"]) {
    const r = await app([command], { [variable]: path() });
    expect(r.code).toBe(2);
    expect(r.text).toContain(`${variable}=`);
    expect(r.text).toContain(problem);
  }
});

test("a heartbeat left by a daemon that was killed is unhealthy at once, not for a minute", async () => {
  const path = join(dir, "killed.json");
  const child = Bun.spawn(["sleep", "30"]);
  heartbeatWriter(path, child.pid).beat(Date.now(), { state: "ok", since: Date.now(), failures: 0 }, 10_000);
  expect(checkHeartbeat(path, Date.now()).ok).toBe(true);
  child.kill("SIGKILL");
  await child.exited;
  const r = checkHeartbeat(path, Date.now());
  expect(r.ok).toBe(false);
  expect(r.line).toContain(`pid ${child.pid}) is no longer running`);
});

test("a failed rename leaves no temporary file behind", () => {
  const target = join(dir, "target-is-a-dir");
  mkdirSync(join(target, "inside"), { recursive: true });
  expect(() => writeFileAtomic(target, "x", {})).toThrow();
  expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
});
