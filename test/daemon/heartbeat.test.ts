// The heartbeat file behind `healthcheck` and the container's HEALTHCHECK.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runApp } from "../../src/cli/app.ts";
import { healthcheckCommand } from "../../src/cli/healthcheck-command.ts";
import { checkHeartbeat, HEARTBEAT_GRACE_MS, heartbeatRates, heartbeatWriter } from "../../src/daemon/heartbeat.ts";
import { VirtualClock, watchFirstSleep } from "../../src/shared/clock.ts";
import { startSimulator } from "../../src/simulator/server.ts";

const made: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), "ijd-hb-"));
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
const T0 = Date.UTC(2026, 10, 28);
const OK = { state: "ok", since: T0, failures: 0 } as const;

describe("heartbeat", () => {
  test("fresh while the announced sleep and the grace have not passed, stale after", () => {
    const path = join(dir(), "h.json");
    heartbeatWriter(path, process.pid).beat(T0, OK, 10_000);
    expect(checkHeartbeat(path, T0 + 10_000 + HEARTBEAT_GRACE_MS)).toMatchObject({ ok: true });
    const late = checkHeartbeat(path, T0 + 10_001 + HEARTBEAT_GRACE_MS);
    expect(late.ok).toBe(false);
    expect(late.line).toContain("stuck or stopped");
  });

  test("a daemon waiting for a down Immich is healthy and says so", () => {
    const path = join(dir(), "h.json");
    heartbeatWriter(path, process.pid).beat(T0, { state: "degraded", since: T0, failures: 3, lastError: "unreachable" }, 8_000);
    const r = checkHeartbeat(path, T0 + 1_000);
    expect(r.ok).toBe(true);
    expect(r.line).toContain("unreachable");
  });

  test("a missing or foreign file is unhealthy with a line saying why", () => {
    const d = dir();
    expect(checkHeartbeat(join(d, "none.json"), T0).line).toContain("no heartbeat");
    writeFileSync(join(d, "x.json"), '{"hello":1}');
    expect(checkHeartbeat(join(d, "x.json"), T0)).toMatchObject({ ok: false });
  });

  test("`healthcheck` finds the file through HEALTH_FILE and exits 0 or 1", async () => {
    const path = join(dir(), "h.json");
    const out: string[] = [];
    const stream = { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream;
    const clock = new VirtualClock(T0);
    const io = { env: { HEALTH_FILE: path }, stdout: stream, stderr: stream, clock, fetch };
    expect(await healthcheckCommand(io)).toBe(1);
    heartbeatWriter(path, 1).beat(T0, OK, 10_000);
    expect(await healthcheckCommand(io)).toBe(0);
    expect(out.at(-1)).toContain("healthy");
  });
});

// Issue 6 (idle cost): freshness is the file's mtime, so an unchanged beat is
// one utimes() instead of a temporary file, a write and a rename. A hard link
// to the file tells the two apart: a touch moves the link's mtime too (same
// inode), a rewrite leaves the link on the old inode (and keeps that inode
// alive, so the new file cannot reuse its number).
describe("heartbeat: touched while unchanged, rewritten when something changes", () => {
  const linked = (path: string) => {
    const link = `${path}.link`;
    rmSync(link, { force: true });
    linkSync(path, link);
    return link;
  };

  test("the file holds no time: its mtime is the writer's clock, staleAfterMs the announced sleep and the grace", () => {
    const path = join(dir(), "h.json");
    heartbeatWriter(path, 4242).beat(T0, OK, 10_000, { smartSearch: 0.5 });
    const data = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    expect(data).toMatchObject({ pid: 4242, staleAfterMs: 10_000 + HEARTBEAT_GRACE_MS, state: "ok", failures: 0, rates: { smartSearch: 0.5 } });
    expect(Object.keys(data)).not.toContain("at");
    expect(Object.keys(data)).not.toContain("staleAt");
    expect(statSync(path).mtimeMs).toBe(T0);
  });

  test("a beat with the same content only moves the mtime: same inode, same text, fresh by the new time", () => {
    const path = join(dir(), "h.json");
    const writer = heartbeatWriter(path, process.pid);
    writer.beat(T0, OK, 10_000, { smartSearch: 0.5 });
    const text = readFileSync(path, "utf8");
    const link = linked(path);
    for (const t of [T0 + 10_000, T0 + 20_000, T0 + 30_000]) {
      writer.beat(t, OK, 10_000, { smartSearch: 0.5 });
      expect(statSync(path).ino).toBe(statSync(link).ino);
      expect(statSync(link).mtimeMs).toBe(t);
      expect(readFileSync(path, "utf8")).toBe(text);
    }
    // Stale detection follows the mtime: fresh until the last touch's sleep and grace have passed.
    const last = T0 + 30_000;
    expect(checkHeartbeat(path, last + 10_000 + HEARTBEAT_GRACE_MS).ok).toBe(true);
    expect(checkHeartbeat(path, last + 10_001 + HEARTBEAT_GRACE_MS).line).toMatch(/^unhealthy: the last heartbeat is 70 s old .*stuck or stopped$/);
    expect(heartbeatRates(path, last + 10_000 + HEARTBEAT_GRACE_MS)).toEqual({ pid: process.pid, rates: { smartSearch: 0.5 } });
    expect(heartbeatRates(path, last + 10_001 + HEARTBEAT_GRACE_MS)).toBeUndefined();
    expect(readdirSync(join(path, "..")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  test("a changed state, rate or sleep rewrites the file whole, with the mtime of its clock", () => {
    const path = join(dir(), "h.json");
    const writer = heartbeatWriter(path, process.pid);
    writer.beat(T0, OK, 10_000);
    const changes: [number, Parameters<typeof writer.beat>][] = [
      [T0 + 10_000, [T0 + 10_000, { state: "degraded", since: T0, failures: 1, lastError: "unreachable" }, 10_000]],
      [T0 + 20_000, [T0 + 20_000, OK, 10_000, { smartSearch: 2 }]],
      [T0 + 22_000, [T0 + 22_000, OK, 2_000, { smartSearch: 2 }]],
    ];
    for (const [t, args] of changes) {
      const link = linked(path);
      writer.beat(...args);
      expect(statSync(path).ino).not.toBe(statSync(link).ino);
      expect(statSync(path).mtimeMs).toBe(t);
    }
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ staleAfterMs: 2_000 + HEARTBEAT_GRACE_MS, rates: { smartSearch: 2 } });
  });

  test("a file removed under the daemon (a tmp cleaner) is written again at the next beat", () => {
    const path = join(dir(), "h.json");
    const writer = heartbeatWriter(path, process.pid);
    writer.beat(T0, OK, 10_000);
    rmSync(path);
    writer.beat(T0 + 10_000, OK, 10_000);
    expect(statSync(path).mtimeMs).toBe(T0 + 10_000);
    expect(checkHeartbeat(path, T0 + 10_000)).toMatchObject({ ok: true });
  });

  test("a failed write throws, and the next beat writes once it can", () => {
    const d = dir();
    const path = join(d, "later", "h.json");
    const writer = heartbeatWriter(path, process.pid);
    expect(() => writer.beat(T0, OK, 10_000)).toThrow();
    mkdirSync(join(d, "later"));
    writer.beat(T0 + 10_000, OK, 10_000);
    expect(checkHeartbeat(path, T0 + 10_000)).toMatchObject({ ok: true });
  });

  test("an idle `run` writes the file once, then only touches it at every poll, in its own clock's time; `healthcheck` reads it", async () => {
    const KEY = "heartbeat-key-0123456789";
    const clock = new VirtualClock(T0);
    const sim = await startSimulator({ clock, keys: [{ key: KEY, label: "daemon", admin: true, scopes: ["all"] }] });
    try {
      const path = join(dir(), "h.json");
      const err: string[] = [];
      const stream = (into: string[]) => ({ write: (s: string) => into.push(s) }) as unknown as NodeJS.WritableStream;
      const { clock: watched, firstSleep } = watchFirstSleep(clock);
      const stop = new AbortController();
      const running = runApp({
        argv: ["run"],
        env: { IMMICH_URL: sim.url, API_KEY: KEY, HEALTH_FILE: path, POLL_INTERVAL: "10" },
        stdout: stream([]),
        stderr: stream(err),
        clock: watched,
        signal: stop.signal,
        readFile: (p) => readFileSync(p, "utf8"),
        random: () => 0.5,
        fetch,
        pid: process.pid,
      });
      await Promise.race([firstSleep, running]);
      await clock.advance(10_000); // past the first look's start-up
      const text = readFileSync(path, "utf8");
      const link = linked(path);
      for (let i = 0; i < 3; i++) {
        await clock.advance(10_000);
        expect(statSync(path).ino).toBe(statSync(link).ino);
        expect(statSync(path).mtimeMs).toBe(clock.now());
        expect(readFileSync(path, "utf8")).toBe(text);
      }
      const out: string[] = [];
      const io = { env: { HEALTH_FILE: path }, stdout: stream(out), stderr: stream(out), clock, fetch };
      expect(await healthcheckCommand(io)).toBe(0);
      expect(out.at(-1)).toBe("healthy: last heartbeat 0 s ago, state ok\n");
      stop.abort();
      expect(await running).toBe(0);
      expect(existsSync(path)).toBe(false);
      expect(err.join("")).not.toContain("heartbeat");
    } finally {
      await sim.stop();
    }
  }, 30_000);
});
