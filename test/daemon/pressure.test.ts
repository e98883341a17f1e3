// Host pressure (DESIGN.md §2 rule 14), with a fake /proc tree: the syntax,
// reading PSI's `some avg10`, missing PSI said once and ignored, and the
// daemon against the simulator over HTTP: while the host is busy nothing new
// starts and running queues keep their slots.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runApp } from "../../src/cli/app.ts";
import { parsePressure } from "../../src/core/pressure-syntax.ts";
import { openPressure, someAvg10 } from "../../src/daemon/pressure.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const psi = (avg10: number) =>
  `some avg10=${avg10.toFixed(2)} avg60=1.00 avg300=0.50 total=123456\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n`;
/** A fake /proc with pressure/<resource> files. */
function fakeProc(values: Record<string, number | string>): { root: string; set(r: string, v: number): void } {
  const root = mkdtempSync(join(tmpdir(), "ijd-proc-"));
  dirs.push(root);
  mkdirSync(join(root, "pressure"));
  const set = (r: string, v: number | string) => writeFileSync(join(root, "pressure", r), typeof v === "number" ? psi(v) : v);
  for (const [r, v] of Object.entries(values)) set(r, v);
  return { root, set };
}
const read = (p: string) => readFileSync(p, "utf8");

describe("MAX_PRESSURE and PSI", () => {
  test("the syntax", () => {
    expect(parsePressure("cpu=70,memory=20")).toEqual({ ok: true, limits: { cpu: 70, memory: 20 } });
    expect(parsePressure(" IO = 12.5 ")).toEqual({ ok: true, limits: { io: 12.5 } });
    const bad = (t: string) => {
      const r = parsePressure(t);
      return r.ok ? "" : r.problems.join("; ");
    };
    expect(bad("cpu70")).toBe('"cpu70" is not resource=percent');
    expect(bad("gpu=70")).toBe('"gpu" is not a resource (cpu, memory or io)');
    expect(bad("cpu=0")).toContain('"0" for cpu is not a percentage above 0 and at most 100');
    expect(bad("cpu=170")).toContain("not a percentage");
    expect(bad("cpu=70%")).toContain('"70%" for cpu');
    expect(bad("cpu=70,cpu=80")).toBe("cpu is given more than once");
  });

  test("some avg10 is read from PSI's format", () => {
    expect(someAvg10(psi(82.31))).toBe(82.31);
    expect(someAvg10("full avg10=3.00 avg60=0 avg300=0 total=0")).toBeUndefined();
  });

  test("over the limit, under it, and figures that cannot be read count as under", () => {
    const proc = fakeProc({ cpu: 82.5, memory: 5 });
    const src = openPressure({ cpu: 70, memory: 20 }, proc.root, read);
    if ("missing" in src) throw new Error(src.missing);
    expect(src.over()).toEqual([{ resource: "cpu", value: 82.5, limit: 70 }]);
    proc.set("cpu", 70);
    expect(src.over()).toEqual([]);
    proc.set("memory", 20.01);
    expect(src.over()).toEqual([{ resource: "memory", value: 20.01, limit: 20 }]);
    rmSync(join(proc.root, "pressure", "memory"));
    expect(src.over()).toEqual([]);
  });

  test("missing PSI (no files, or a kernel without it) is reported, not an error", () => {
    const empty = mkdtempSync(join(tmpdir(), "ijd-proc-"));
    dirs.push(empty);
    const r = openPressure({ cpu: 70 }, empty, read);
    expect("missing" in r && r.missing).toContain("pressure/cpu cannot be read (ENOENT)");
    const odd = fakeProc({ io: "garbage\n" });
    expect("missing" in openPressure({ io: 10 }, odd.root, read) ? "missing" : "ok").toBe("missing");
  });
});

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

test("the daemon against the simulator: while the host is busy nothing new starts, running queues keep their slots", async () => {
  const proc = fakeProc({ cpu: 10 });
  const src = openPressure({ cpu: 70 }, proc.root, read);
  if ("missing" in src) throw new Error(src.missing);
  h = await startHarness({ maxConcurrent: 2, gates: { pressure: src } });
  h.sim.engine.addExisting({ photos: 500, queues: ["smartSearch"] });
  await h.advance(20_000);
  expect(h.sim.engine.get("smartSearch")!.isPaused).toBe(false);

  proc.set("cpu", 95);
  await h.advance(20_000);
  h.sim.engine.upload({ photos: 20 });
  await h.advance(5 * 60_000);
  // smartSearch kept its slot and ran on; the uploads waited in metadataExtraction (paused, never resumed).
  expect(h.sim.engine.get("smartSearch")!.isPaused).toBe(false);
  expect(h.sim.engine.get("metadataExtraction")!.isPaused).toBe(true);
  expect(h.sim.engine.recording().uploads.every((u) => u.thumbnailAt === undefined)).toBe(true);
  expect(h.daemon.gates?.pressure).toEqual([{ resource: "cpu", value: 95, limit: 70 }]);

  proc.set("cpu", 30);
  await h.advance(10 * 60_000);
  expect(h.sim.engine.recording().uploads.every((u) => u.thumbnailAt !== undefined)).toBe(true);
  const lines = h.log.lines.map((l) => l.msg);
  expect(lines.filter((m) => m.startsWith("the host is under pressure (cpu 95.0 % > 70 %, PSI some avg10): starting nothing new"))).toHaveLength(1);
  expect(lines.filter((m) => m.startsWith("host pressure is back under MAX_PRESSURE"))).toHaveLength(1);
}, 30_000);

test("`once` and `status` in process: missing PSI said once and ignored; a busy host shown by status", async () => {
  const sim = await startSimulator({ clock: new VirtualClock(), keys: [{ key: "pressure-key-0001", label: "daemon", admin: true, scopes: ["all"] }] });
  try {
    const run = async (argv: string[], env: Record<string, string>, procRoot: string) => {
      const out: string[] = [];
      const err: string[] = [];
      const stream = (into: string[]) => ({ write: (s: string) => into.push(s) }) as unknown as NodeJS.WritableStream;
      const code = await runApp({
        argv,
        env: { IMMICH_URL: sim.url, API_KEY: "pressure-key-0001", MAX_PRESSURE: "cpu=70,io=50", ...env },
        stdout: stream(out),
        stderr: stream(err),
        clock: new VirtualClock(),
        signal: new AbortController().signal,
        readFile: read,
        random: () => 0.5,
        fetch,
        pid: 1,
        procRoot,
      });
      return { code, out: out.join(""), err: err.join("") };
    };
    const empty = mkdtempSync(join(tmpdir(), "ijd-proc-"));
    dirs.push(empty);
    const once = await run(["once"], {}, empty);
    expect(once.code).toBe(0);
    expect(once.err.match(/MAX_PRESSURE is set, but this host has no pressure stall information/g)).toHaveLength(1);

    const busy = fakeProc({ cpu: 91.2, io: 3 });
    sim.engine.enqueue("smartSearch", 50);
    const status = await run(["status"], {}, busy.root);
    expect(status.code).toBe(0);
    expect(status.out.split("\n")[0]).toContain("host under pressure (cpu 91.2 % > 70 %): nothing new starts");
    expect(status.out).not.toMatch(/would resume/);
    const json = JSON.parse((await run(["status", "--json"], {}, busy.root)).out) as { gates: { pressure: unknown } };
    expect(json.gates.pressure).toEqual([{ resource: "cpu", value: 91.2, limit: 70 }]);
  } finally {
    await sim.stop();
  }
});
