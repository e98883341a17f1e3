// The simulator's host model (src/simulator/host.ts): jobs cost CPU and slow
// down in proportion when the demand exceeds the cores, pressure accrues as
// Linux keeps it (a µs total, 10/60/300 s averages folded every 2 s), an
// outside load takes cores for a while; the figures are readable as
// /proc/pressure-format files and as node_exporter's counters, over HTTP.

import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualClock } from "../../src/shared/clock.ts";
import { createEngine } from "../../src/simulator/engine.ts";
import { cpuSomeShare, nodeExporterText, psiText } from "../../src/simulator/host.ts";
import { HOST_PROFILES, type HostProfile } from "../../src/simulator/host-profiles.ts";
import { PROFILES } from "../../src/simulator/profiles.ts";
import { parseSimulatorArgs } from "../../src/cli/simulator-options.ts";
import { simulatorsPerTest } from "./sim-server.ts";

const sim = simulatorsPerTest();

/** One priced queue: a thumbnail costs 2 CPU s at 1 core (2 s alone); pressure curve made simple. */
const TOY: HostProfile = {
  name: "real-2core",
  description: "test host",
  cores: 2,
  burstiness: 1,
  runnable: 1,
  jobs: { thumbnailGeneration: { cpu: 2, cores: 1 } },
  mlFail: { cpu: 0.01, cores: 1 },
};

function engineOn(host: HostProfile) {
  const clock = new VirtualClock(0);
  const engine = createEngine(clock, { queues: PROFILES["v3.1"].queues, seed: 1, jitter: 0, host });
  return { clock, engine };
}

const PSI_LINE = /^(some|full) avg10=\d+\.\d\d avg60=\d+\.\d\d avg300=\d+\.\d\d total=\d+$/;

describe("the pressure curve", () => {
  test("none without demand, rising with it, never above the runnable share", () => {
    expect(cpuSomeShare(0, 2, 2.2, 0.9)).toBe(0);
    let last = 0;
    for (let d = 0.25; d <= 20; d += 0.25) {
      const s = cpuSomeShare(d, 2, 2.2, 0.9);
      expect(s).toBeGreaterThan(last);
      expect(s).toBeLessThanOrEqual(0.9);
      last = s;
    }
    // More cores, less pressure for the same demand.
    expect(cpuSomeShare(3, 4, 2.2, 0.9)).toBeLessThan(cpuSomeShare(3, 2, 2.2, 0.9));
  });
});

describe("jobs on a modelled host", () => {
  test("alone they take their work ÷ demand; oversubscribed they slow down in proportion", () => {
    const { clock, engine } = engineOn(TOY);
    engine.setConcurrency("thumbnailGeneration", 2);
    engine.enqueue("thumbnailGeneration", 2);
    expect(engine.host()?.demand).toBe(2);
    clock.set(2_000);
    expect(engine.get("thumbnailGeneration")?.counts.active).toBe(0);

    // Four at once on two cores: half speed, each takes 4 s.
    engine.setConcurrency("thumbnailGeneration", 4);
    engine.enqueue("thumbnailGeneration", 4);
    expect(engine.host()).toMatchObject({ demand: 4, rate: 0.5 });
    clock.set(5_999);
    expect(engine.get("thumbnailGeneration")?.counts.active).toBe(4);
    clock.set(6_000);
    expect(engine.get("thumbnailGeneration")?.counts.active).toBe(0);
  });

  test("a job speeds up when the others finish (the plan is redone at every change)", () => {
    const { clock, engine } = engineOn({ ...TOY, jobs: { thumbnailGeneration: { cpu: 2, cores: 1 }, metadataExtraction: { cpu: 6, cores: 1 } } });
    engine.enqueue("metadataExtraction", 1); // 6 s alone
    engine.setConcurrency("thumbnailGeneration", 3);
    engine.enqueue("thumbnailGeneration", 3); // with it: demand 4, rate 0.5
    // The thumbnails need 4 s at half speed; the metadata job did 2 s of its 6 by then, and then runs alone.
    clock.set(4_000);
    expect(engine.get("thumbnailGeneration")?.counts.active).toBe(0);
    clock.set(7_999);
    expect(engine.get("metadataExtraction")?.counts.active).toBe(1);
    clock.set(8_000);
    expect(engine.get("metadataExtraction")?.counts.active).toBe(0);
  });

  test("pressure: the total in µs, the averages folded every 2 s as the kernel does", () => {
    const { clock, engine } = engineOn(TOY);
    engine.setConcurrency("thumbnailGeneration", 4);
    engine.enqueue("thumbnailGeneration", 4);
    const share = cpuSomeShare(4, 2, 1, 1);
    clock.set(4_000);
    const p = engine.host()!.pressure.cpu;
    expect(p.some.total).toBe(Math.floor(share * 4_000 * 1000));
    // Two 2 s windows at `share`: avg10 = share·100·(1 − e^(−2/10·2)).
    expect(p.some.avg10).toBeCloseTo(share * 100 * (1 - Math.exp(-0.4)), 6);
    expect(p.full.total).toBe(0);
    // Quiet afterwards: the total stays, the averages decay.
    clock.set(64_000);
    const later = engine.host()!.pressure.cpu.some;
    expect(later.total).toBe(p.some.total);
    expect(later.avg10).toBeLessThan(p.some.avg10 / 100);
    expect(engine.host()!.worstCpuAvg10).toBeCloseTo(p.some.avg10, 6);
  });

  test("an outside load takes its cores for its time, then goes", () => {
    const { clock, engine } = engineOn(TOY);
    engine.addHostLoad({ cores: 2, forMs: 10_000 });
    engine.enqueue("thumbnailGeneration", 2); // demand 2 + 2 outside: half speed
    expect(engine.host()).toMatchObject({ demand: 4, outside: 2, rate: 0.5 });
    clock.set(4_000);
    expect(engine.get("thumbnailGeneration")?.counts.active).toBe(0);
    clock.set(9_999);
    expect(engine.host()?.outside).toBe(2);
    expect(engine.host()?.pressure.cpu.some.total).toBeGreaterThan(0);
    clock.set(10_000);
    expect(engine.host()).toMatchObject({ demand: 0, outside: 0, loads: [] });
    expect(() => engine.addHostLoad({ cores: -1, forMs: 1 })).toThrow(/cores/);
    expect(() => createEngine(clock, { queues: ["a"] }).addHostLoad({ cores: 1, forMs: 1 })).toThrow(/no host/);
  });

  test("io and memory: job io shares combine independently; memory only from outside", () => {
    const { clock, engine } = engineOn({ ...TOY, jobs: { thumbnailGeneration: { cpu: 2, cores: 1, io: 0.5 } } });
    engine.setConcurrency("thumbnailGeneration", 2);
    engine.enqueue("thumbnailGeneration", 2);
    engine.addHostLoad({ cores: 0, forMs: 1_000, memory: 0.25 });
    clock.set(1_000);
    const p = engine.host()!.pressure;
    // Two jobs each stalled half the time: someone 75 %, both at once 25 %.
    expect(p.io.some.total).toBe(750_000);
    expect(p.io.full.total).toBe(250_000);
    expect(p.memory.some.total).toBe(250_000);
    clock.set(2_000);
    expect(engine.host()!.pressure.memory.some.total).toBe(250_000);
  });

  test("the real host profile: a thumbnail at concurrency 3 keeps the 2 cores busy, as measured (1.9)", () => {
    const { clock, engine } = engineOn(HOST_PROFILES["real-2core"]);
    engine.enqueue("thumbnailGeneration", 60);
    expect(engine.host()!.jobs).toBeGreaterThan(2);
    // 60 photos: 13.2 CPU s measured, 6.9 s wall.
    let t = 0;
    while (!engine.isIdle()) clock.set((t += 100));
    expect(t / 1000).toBeGreaterThan(6.9 * 0.8);
    expect(t / 1000).toBeLessThan(6.9 * 1.2);
  });
});

describe("the pressure as the daemon reads it", () => {
  test("PSI text is /proc/pressure's format; node_exporter's counters are its totals in seconds", () => {
    const p = { some: { avg10: 12.345, avg60: 1, avg300: 0, total: 1_234_567 }, full: { avg10: 0, avg60: 0, avg300: 0, total: 0 } };
    const text = psiText(p);
    expect(text).toBe("some avg10=12.35 avg60=1.00 avg300=0.00 total=1234567\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
    const metrics = nodeExporterText({ cpu: p, io: p, memory: p });
    for (const name of [
      "node_pressure_cpu_waiting_seconds_total",
      "node_pressure_io_waiting_seconds_total",
      "node_pressure_io_stalled_seconds_total",
      "node_pressure_memory_waiting_seconds_total",
      "node_pressure_memory_stalled_seconds_total",
    ]) {
      expect(metrics).toContain(`# TYPE ${name} counter\n`);
    }
    expect(metrics).toContain("node_pressure_cpu_waiting_seconds_total 1.234567\n");
    expect(metrics).toContain("node_pressure_io_stalled_seconds_total 0\n");
  });

  test("over HTTP: an outside load posted to the control endpoint shows in the PSI files and at /metrics", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-psi-"));
    try {
      const s = await sim({ host: "real-2core", psiDir: join(dir, "pressure"), exporterPort: 0, psiEveryMs: 60_000 });
      const post = await fetch(`${s.url}/__simulator/host`, { method: "POST", body: JSON.stringify({ cores: 3, forSeconds: 7200 }) });
      expect(post.status).toBe(200);
      expect(await post.json()).toMatchObject({ profile: "real-2core", cores: 2, outside: 3, rate: 2 / 3 });
      (s.clock as VirtualClock).set(s.clock.now() + 60_000);
      s.writePressure();
      const cpu = readFileSync(join(dir, "pressure", "cpu"), "utf8");
      const lines = cpu.trimEnd().split("\n");
      expect(lines).toHaveLength(2);
      for (const l of lines) expect(l).toMatch(PSI_LINE);
      const total = Number(/total=(\d+)/.exec(lines[0]!)?.[1]);
      const share = cpuSomeShare(3, 2, HOST_PROFILES["real-2core"].burstiness, HOST_PROFILES["real-2core"].runnable);
      expect(total).toBe(Math.floor(share * 60_000 * 1000));
      for (const r of ["io", "memory"]) expect(readFileSync(join(dir, "pressure", r), "utf8")).toMatch(/^some avg10=0\.00 .* total=0\nfull /);
      const metrics = await fetch(s.exporter!.url);
      expect(metrics.headers.get("content-type")).toContain("text/plain; version=0.0.4");
      const text = await metrics.text();
      expect(text).toContain(`node_pressure_cpu_waiting_seconds_total ${total / 1e6}\n`);
      // node_exporter's time collector, on the simulated clock: a reader's time base in accelerated time.
      expect(text).toContain(`# TYPE node_time_seconds gauge\nnode_time_seconds ${s.clock.now() / 1000}\n`);
      expect((await fetch(s.exporter!.url.replace("/metrics", "/other"))).status).toBe(404);
      // The same text on the simulator's own port.
      expect(await (await fetch(`${s.url}/__simulator/metrics`)).text()).toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("bad loads get a one-line 400 naming the field; no host, a 404 saying how to get one", async () => {
    const s = await sim({ host: "nas-4core" });
    for (const [body, field] of [
      [{ cores: -1, forSeconds: 10 }, "field cores"],
      [{ cores: 1, forSeconds: 0 }, "field forSeconds"],
      [{ cores: 1 }, "field forSeconds"],
      [{ cores: 1, forSeconds: 1, colour: 1 }, "field colour"],
    ] as const) {
      const res = await fetch(`${s.url}/__simulator/host`, { method: "POST", body: JSON.stringify(body) });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toStartWith(field);
    }
    expect(s.engine.host()?.outside).toBe(0);
    const plain = await sim();
    const res = await fetch(`${plain.url}/__simulator/host`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toContain("--host real-2core");
  });

  test("the CLI: --host, --psi-dir, --exporter-port; the host options alone are refused", () => {
    const opts = parseSimulatorArgs(["--host", "nas-4core", "--psi-dir", "/tmp/p", "--exporter-port", "0", "--host-cores", "8", "--config-file"], () => "k");
    expect(opts).toMatchObject({ host: "nas-4core", psiDir: "/tmp/p", exporterPort: 0, hostCores: 8, configFile: true });
    expect(() => parseSimulatorArgs(["--psi-dir", "/tmp/p"], () => "k")).toThrow("--psi-dir, --exporter-port and --host-cores need --host (real-2core or nas-4core)");
    expect(() => parseSimulatorArgs(["--host", "pi"], () => "k")).toThrow('unknown host profile "pi"; use one of real-2core, nas-4core');
  });
});
