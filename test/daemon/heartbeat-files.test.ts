// The heartbeat file against what others may do to it while the daemon runs
// (issue 16 item 7): a symlink put in its place must not have its target's
// time moved at every beat (the beat rewrites the heartbeat as a regular
// file instead); a directory in its place, or a directory that can no longer
// be written, must not turn a clean stop into "internal error": the stop's
// exit code stays the stop's, and the heartbeat's failure is a warning.
import { afterAll, describe, expect, test } from "bun:test";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runApp } from "../../src/cli/app.ts";
import { checkHeartbeat, heartbeatWriter, removeHeartbeat } from "../../src/daemon/heartbeat.ts";
import { VirtualClock, watchFirstSleep } from "../../src/shared/clock.ts";
import { startSimulator } from "../../src/simulator/server.ts";

const made: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), "ijd-hbf-"));
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
const T0 = Date.UTC(2026, 10, 28);
const OK = { state: "ok", since: T0, failures: 0 } as const;
const LONG_AGO = Date.UTC(2020, 0, 1) / 1000;

describe("a symlink in the heartbeat's place", () => {
  test("the trap: an unchanged beat does not touch the link's target; the heartbeat becomes a regular file again", () => {
    const d = dir();
    const path = join(d, "health.json");
    const victim = join(d, "victim");
    writeFileSync(victim, "precious\n");
    utimesSync(victim, LONG_AGO, LONG_AGO);
    const writer = heartbeatWriter(path, process.pid);
    writer.beat(T0, OK, 10_000);
    // Someone replaces the heartbeat with a link while the daemon runs.
    rmSync(path);
    symlinkSync(victim, path);

    for (let i = 1; i <= 3; i++) writer.beat(T0 + i * 10_000, OK, 10_000);

    expect(statSync(victim).mtimeMs).toBe(LONG_AGO * 1000);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(lstatSync(path).isFile()).toBe(true);
    expect(statSync(path).mtimeMs).toBe(T0 + 30_000);
    expect(checkHeartbeat(path, T0 + 30_000)).toMatchObject({ ok: true });
  });

  test("removing it at exit removes the link, never its target", () => {
    const d = dir();
    const victim = join(d, "victim");
    writeFileSync(victim, "precious\n");
    symlinkSync(victim, join(d, "health.json"));
    expect(removeHeartbeat(join(d, "health.json"))).toBeUndefined();
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
  });
});

describe("a heartbeat that cannot be removed at exit", () => {
  test("a directory in its place: one line to warn with, no exception, the directory left alone", () => {
    const d = dir();
    const path = join(d, "health.json");
    mkdirSync(join(path, "inside"), { recursive: true });
    const problem = removeHeartbeat(path);
    expect(problem).toContain(path);
    expect(problem).toContain("HEALTH_FILE");
    expect(statSync(join(path, "inside")).isDirectory()).toBe(true);
  });

  test("`run`: HEALTH_FILE turned into a directory while running; the stop is still clean (exit 0), with warnings, and the queues are resumed", async () => {
    const KEY = "heartbeat-files-key-0123456789";
    const clock = new VirtualClock(T0);
    const sim = await startSimulator({ clock, keys: [{ key: KEY, label: "daemon", admin: true, scopes: ["all"] }] });
    try {
      const path = join(dir(), "h.json");
      const out: string[] = [];
      const err: string[] = [];
      const stream = (into: string[]) => ({ write: (s: string) => into.push(s) }) as unknown as NodeJS.WritableStream;
      const { clock: watched, firstSleep } = watchFirstSleep(clock);
      const stop = new AbortController();
      const running = runApp({
        argv: ["run"],
        env: { IMMICH_URL: sim.url, API_KEY: KEY, HEALTH_FILE: path, POLL_INTERVAL: "10" },
        stdout: stream(out),
        stderr: stream(err),
        clock: watched,
        signal: stop.signal,
        readFile: (p) => readFileSync(p, "utf8"),
        random: () => 0.5,
        fetch,
        pid: process.pid,
      });
      await Promise.race([firstSleep, running]);
      expect(lstatSync(path).isFile()).toBe(true);
      const paused = sim.engine.list().filter((q) => q.isPaused).length;
      expect(paused).toBeGreaterThan(0);
      rmSync(path);
      mkdirSync(join(path, "inside"), { recursive: true });
      await clock.advance(10_000);

      stop.abort("SIGTERM");
      expect(await running).toBe(0);
      expect(sim.engine.list().filter((q) => q.isPaused)).toEqual([]);
      const text = out.join("") + err.join("");
      expect(text).not.toContain("internal error");
      expect(text).toContain(`exiting; resumed ${paused} queues`);
      expect(err.join("")).toMatch(/WARN .*HEALTH_FILE/);
    } finally {
      await sim.stop();
    }
  }, 30_000);
});
