// What the compiled binary does when something is wrong: a distinct exit code
// per cause (src/cli/exit-codes.ts), one line that says what is wrong and
// what to do, never a stack trace (helpers.ts checks every exit of every
// test for one); a bad configuration sends nothing at all; an unreachable
// server makes `once` fail but `run` wait, saying so once.

import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { cleanEnv, lines, runBinary, spawnBinary, spawnProcess, waitUntil } from "./helpers.ts";
import { KEYS, closedPort, e2eSimsPerTest, startDroppingListener, startHtmlServer } from "./helpers-sim.ts";

// Real processes on a loaded 2-core machine: more than Bun's default 5 s
// (bunfig.toml's [test] timeout is not applied by Bun 1.4.5).
setDefaultTimeout(15_000);

const startE2E = e2eSimsPerTest();
const sim = (profile: "v3.1" | "v2.3" = "v3.1") => startE2E({ profile });
/** Other servers a test started (HTML page, dropping listener), stopped after it. */
const stops: (() => unknown)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

const env = (url: string, key: string, extra: Record<string, string> = {}) =>
  cleanEnv({ IMMICH_URL: url, API_KEY: key, POLL_INTERVAL: "0.2", ...extra });

/** The exit's only stderr line, and nothing on stdout but the start-up line of `run`. */
function oneErrorLine(exit: { stdout: string; stderr: string }): string {
  const errs = lines(exit.stderr);
  expect(errs).toHaveLength(1);
  expect(lines(exit.stdout).filter((l) => !/ INFO  (immich-job-daemon .* starting|exiting; resumed 0 queues)/.test(l))).toEqual([]);
  return errs[0]!;
}

describe("the key", () => {
  test.each(["once", "run", "status", "resume-all"])("a wrong key: %s exits 3 with one line", async (command) => {
    const s = await sim();
    const exit = await runBinary([command], env(s.url, "not-a-key"));
    expect(exit.code).toBe(3);
    const line = oneErrorLine(exit);
    expect(line).toContain("refused the API key");
    expect(line).toContain("check API_KEY");
    expect(s.changesBy("daemon")).toEqual([]);
  });

  test("a key without the needed scopes exits 4, naming the missing scope and the scopes to grant", async () => {
    const s = await sim();
    const exit = await runBinary(["once"], env(s.url, KEYS.weak));
    expect(exit.code).toBe(4);
    const line = oneErrorLine(exit);
    expect(line).toContain("lacks the permission");
    expect(line).toContain("queue.read");
    expect(line).toMatch(/grant it queue\.read and queue\.update/);
  });

  test("on a server before 2.4 the scopes to grant are job.read and job.create", async () => {
    const s = await sim("v2.3");
    const exit = await runBinary(["run"], env(s.url, KEYS.weak));
    expect(exit.code).toBe(4);
    const line = oneErrorLine(exit);
    expect(line).toContain("job.read");
    expect(line).toContain("job.create");
  });

  test("a non-admin's key exits 4 and says the user is not an admin", async () => {
    const s = await sim();
    const exit = await runBinary(["once"], env(s.url, KEYS.user));
    expect(exit.code).toBe(4);
    expect(oneErrorLine(exit)).toContain("not an admin");
  });
});

describe("the URL", () => {
  test("nothing listening: `once` exits 5 with one line", async () => {
    const url = `http://127.0.0.1:${closedPort()}`;
    const exit = await runBinary(["once"], env(url, KEYS.daemon));
    expect(exit.code).toBe(5);
    const line = oneErrorLine(exit);
    expect(line).toContain("cannot reach Immich");
    expect(line).toContain("IMMICH_URL");
  });

  test("nothing listening: `run` waits, says so once, and exits 0 on SIGTERM", async () => {
    const url = `http://127.0.0.1:${closedPort()}`;
    const d = spawnBinary(["run"], env(url, KEYS.daemon));
    await d.waitForOutput("waiting for Immich");
    d.signal("SIGTERM");
    const exit = await d.exited;
    expect(exit.code).toBe(0);
    expect(exit.ms).toBeLessThan(2_000);
    expect(lines(exit.stderr).filter((l) => l.includes("waiting for Immich"))).toHaveLength(1);
    expect(exit.stderr).toContain("connection refused");
  });

  test("a server that drops every connection: `run` retries with backoff but says \"waiting\" once", async () => {
    const l = await startDroppingListener();
    stops.push(() => l.stop());
    const d = spawnBinary(["run"], env(l.url, KEYS.daemon));
    // Backoff starts at 0.5–1 s and doubles: three tries take at most ~3 s.
    await waitUntil(() => l.connections() >= 3, "three connection attempts", 6_000);
    d.signal("SIGTERM");
    const exit = await d.exited;
    expect(exit.code).toBe(0);
    expect(lines(exit.stderr).filter((x) => x.includes("waiting for Immich"))).toHaveLength(1);
    expect(lines(exit.stderr)).toHaveLength(1);
  });

  test.each(["once", "run", "status", "resume-all"])("an HTML page: %s exits 6 with one line naming IMMICH_URL", async (command) => {
    const h = startHtmlServer();
    stops.push(() => h.stop());
    const exit = await runBinary([command], env(h.url, KEYS.daemon));
    expect(exit.code).toBe(6);
    const line = oneErrorLine(exit);
    expect(line).toContain("HTML");
    expect(line).toContain("IMMICH_URL");
  });
});

describe("a bad configuration", () => {
  const bad = {
    API_KEY: "has spaces in it",
    MAX_CONCURRENT_JOBS: "0",
    POLL_INTERVAL: "0.05",
    LOG_FORMAT: "xml",
    MANAGED_QUEUES: "sidecar,backgroundTask",
    ON_EXIT: "sometimes",
    WINDOWS: "ml=22-06",
    TZ: "Mars/Olympus",
    ML_URL: "ftp://immich-machine-learning",
    MAX_PRESSURE: "gpu=5",
  };

  test.each(["run", "once", "status", "resume-all"])("%s exits 2, lists every problem, and sends nothing", async (command) => {
    const s = await sim();
    const exit = await runBinary([command], cleanEnv({ IMMICH_URL: s.url, ...bad }));
    expect(exit.code).toBe(2);
    expect(exit.stdout).toBe("");
    const errs = lines(exit.stderr);
    expect(errs[0]).toBe(`The configuration has ${Object.keys(bad).length} problems:`);
    const problems = errs.slice(1);
    expect(problems).toHaveLength(Object.keys(bad).length);
    for (const name of Object.keys(bad)) expect(problems.some((p) => p.startsWith(`  - ${name}`))).toBe(true);
    // The key's value is never echoed.
    expect(exit.stderr).not.toContain("has spaces in it");
    expect(s.requests).toEqual([]);
  });

  test("an unreadable API_KEY_FILE and a URL with a path: both named, nothing sent", async () => {
    const s = await sim();
    const exit = await runBinary(["once"], cleanEnv({ IMMICH_URL: `${s.url}/photos/app`, API_KEY_FILE: "/nonexistent/key" }));
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain("IMMICH_URL");
    expect(exit.stderr).toContain("API_KEY_FILE");
    expect(exit.stderr).toContain("no such file");
    expect(s.requests).toEqual([]);
  });
});

test("the stack-trace check every exit goes through recognises Bun's uncaught-error output", async () => {
  for (const code of ['function f() { throw new Error("boom") } f()', 'await Promise.reject(new TypeError("x"))']) {
    const crash = spawnProcess([process.execPath, "-e", code], cleanEnv());
    await expect(crash.exited).rejects.toThrow();
  }
});

describe("usage", () => {
  test("an unknown command exits 2 with one line listing the commands", async () => {
    const exit = await runBinary(["frobnicate"], cleanEnv());
    expect(exit.code).toBe(2);
    const line = oneErrorLine(exit);
    expect(line).toContain('"frobnicate"');
    for (const c of ["run", "once", "status", "resume-all"]) expect(line).toContain(c);
  });

  test("an unknown flag exits 2 with one line and sends nothing", async () => {
    const s = await sim();
    const exit = await runBinary(["once", "--bogus"], env(s.url, KEYS.daemon));
    expect(exit.code).toBe(2);
    expect(oneErrorLine(exit)).toContain('"--bogus"');
    expect(s.requests).toEqual([]);
  });
});
