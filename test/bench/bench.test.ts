// The benchmark's core at a tiny scale: it runs, every run finishes, its
// figures hold the invariants they are meant to show (the daemon and the
// seed within the cap, no daemon over it; the seed pausing protected queues
// and leaving queues paused; idle = one GET per POLL_INTERVAL and no PUT),
// the real Daemon over HTTP matches the same Daemon in-process exactly, and
// the summary's means and ratios are those of the runs. Not a timed test: no
// figure here depends on the machine's speed.
import { beforeAll, describe, expect, test } from "bun:test";
import { type BenchResult, runBench } from "../../bench/bench.ts";
import { POLICY_NAMES } from "../../bench/controllers.ts";
import type { RunMetrics } from "../../bench/metrics.ts";
import { renderJson, renderMarkdown } from "../../bench/report.ts";
import { runController } from "../../bench/simulate.ts";

const HOUR = 3_600_000;
let result: BenchResult;

beforeAll(async () => {
  result = await runBench({
    profile: "v3.1",
    baseSeed: 11,
    seeds: 2,
    pollsMs: [10_000],
    minPollMs: 1_000,
    warmupMs: 25_000,
    idleTailMs: 5 * 60_000,
    ns: [1, 2],
    scenarios: [
      { name: "small", scale: 1, photos: 5, limitMs: HOUR },
      { name: "import", scale: 0.02, limitMs: 24 * HOUR }, // 40 photos, 1 video
      { name: "backlog", scale: 0.005, trickleForMs: 20 * 60_000, limitMs: 24 * HOUR }, // 100 assets
    ],
    http: true,
    timelines: [{ scenario: "small", pollMs: 10_000, n: 1, fromMs: 0, toMs: 45_000 }],
    micro: { observations: 40, minMsPerRound: 1, rounds: 1 },
    now: () => performance.now(),
  });
}, 60_000);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("benchmark at tiny scale", () => {
  test("every scenario × N × seed × way of running ran and finished its work", () => {
    expect(result.groups.map((g) => `${g.scenario.name}/${g.n}`)).toEqual(["small/1", "small/2", "import/1", "import/2", "backlog/1", "backlog/2"]);
    for (const g of result.groups) {
      for (const p of POLICY_NAMES) {
        expect(g.runs[p].length).toBe(2);
        for (const m of g.runs[p]) {
          expect(m.finished).toBe(true);
          expect(m.makespanMs!).toBeGreaterThan(0);
          expect(m.thumbnails.withThumbnail).toBe(m.thumbnails.uploads);
          expect(m.thumbnails.uploads).toBeGreaterThan(0);
          expect(m.thumbnails.p50Ms!).toBeLessThanOrEqual(m.thumbnails.p95Ms!);
        }
      }
    }
  });

  test("the daemon and the seed stay within N; Immich alone does not", () => {
    for (const g of result.groups) {
      for (const m of [...g.runs.daemon, ...g.runs.strict, ...g.runs.seed]) {
        expect(m.maxActive).toBeLessThanOrEqual(g.n);
        expect(m.overCapMs).toBe(0);
        // Idle: one look per POLL_INTERVAL (360 an hour at 10 s) and no command.
        expect(m.perHour.idleGet).toBeCloseTo(360, 6);
        expect(m.perHour.idlePut).toBe(0);
      }
      for (const m of g.runs.none) {
        expect(m.commands).toBe(0);
        expect(m.idleSlotMs).toBe(0); // nothing paused: no slot waits for a poll
        if (g.n === 1) {
          expect(m.maxActive).toBeGreaterThan(1);
          expect(m.overCapMs).toBeGreaterThan(0);
        }
      }
    }
  });

  test("the seed pauses protected queues and leaves queues paused; the daemon does neither", () => {
    for (const g of result.groups) {
      for (const m of g.runs.seed) {
        expect(m.protectedPaused).toEqual(expect.arrayContaining(["backgroundTask", "notifications", "backupDatabase"]));
        expect(m.pausedAfterExit).toContain("backgroundTask");
        expect(m.exitCommands).toBe(0);
      }
      for (const m of [...g.runs.daemon, ...g.runs.strict, ...g.runs.none]) {
        expect(m.protectedPaused).toEqual([]);
        expect(m.pausedAfterExit).toEqual([]);
      }
      for (const m of [...g.runs.daemon, ...g.runs.strict]) {
        expect(m.via).toBe("direct");
        expect(m.exitCommands).toBeGreaterThan(0);
        expect(m.commands).toBeGreaterThan(0);
        expect(m.startupCommands).toBeGreaterThan(0); // releases the idle queues before the workload
      }
    }
  });

  test("the real Daemon over HTTP and the same Daemon in-process give identical figures", () => {
    for (const g of result.groups) {
      expect(g.agreement.compared).toBe(1);
      expect(g.agreement.differences).toEqual([]);
      expect(g.agreement.identical).toBe(1);
      expect(g.agreement.problems).toEqual([]);
      expect(g.agreement.requests).toBeGreaterThan(0);
    }
  });

  test("hand-overs at job speed: at POLL_INTERVAL=10 the daemon's idle slot time per hand-over is a fraction of the seed's", () => {
    for (const g of result.groups.filter((x) => x.scenario.name !== "small")) {
      const row = g.summary.rows.find((r) => r.key === "idlePerHandover")!;
      expect(row.values.daemon.mean!).toBeLessThan(1_500);
      expect(row.vsBaseline!.ratio!).toBeLessThan(0.5);
    }
  });

  test("timelines: an SVG per policy for the chosen cell, a row per managed queue", () => {
    const g = result.groups.find((x) => x.scenario.name === "small" && x.n === 1)!;
    for (const p of POLICY_NAMES) {
      expect(g.timelines![p]).toStartWith("<svg");
      expect(g.timelines![p]).toContain(">thumbnailGeneration</text>");
    }
    const marks = (svg: string) => (svg.match(/<path /g) ?? []).length;
    expect(marks(g.timelines!.daemon)).toBeGreaterThan(0); // pause and resume marks
    expect(marks(g.timelines!.none)).toBe(0);
    expect(result.groups.find((x) => x.scenario.name === "import")!.timelines).toBeUndefined();
  });

  test("the summary's means and ratios are those of the runs", () => {
    const get: Record<string, (m: RunMetrics) => number> = {
      makespan: (m) => m.makespanMs!,
      maxActive: (m) => m.maxActive,
      thumbP50: (m) => m.thumbnails.p50Ms!,
      idleSlot: (m) => m.idleSlotMs,
      busyGet: (m) => m.perHour.busyGet!,
      commands: (m) => m.commands,
    };
    for (const g of result.groups) {
      for (const [key, f] of Object.entries(get)) {
        const row = g.summary.rows.find((r) => r.key === key)!;
        for (const p of POLICY_NAMES) expect(row.values[p].mean!).toBeCloseTo(mean(g.runs[p].map(f)), 6);
        const d = mean(g.runs.daemon.map(f));
        const s = mean(g.runs.seed.map(f));
        if (s > 0) {
          expect(row.vsBaseline!.ratio!).toBeCloseTo(d / s, 9);
          const per = g.runs.daemon.map((m, i) => f(m) / f(g.runs.seed[i]!));
          expect(row.vsBaseline!.min!).toBeCloseTo(Math.min(...per), 9);
          expect(row.vsBaseline!.max!).toBeCloseTo(Math.max(...per), 9);
        }
      }
      const overCap = g.summary.rows.find((r) => r.key === "overCap")!;
      expect(overCap.vsBaseline!.note).toBe("both zero");
      expect(overCap.vsNone!.ratio).toBe(0);
    }
  });

  test("a run is deterministic: the same spec gives the same figures", async () => {
    const g = result.groups[0]!;
    const params = { profile: "v3.1" as const, seed: 11, pollMs: 10_000, minPollMs: 1_000, warmupMs: 25_000, idleTailMs: 5 * 60_000 };
    const again = await runController({ scenario: g.scenario, params, n: g.n, policy: "seed" });
    expect(again.metrics).toEqual(g.runs.seed[0]!);
  });

  test("the micro-benchmark timed both functions on the same inputs", () => {
    const m = result.micro;
    expect(m.observations).toBe(40);
    expect(m.decidePerSec).toBeGreaterThan(0);
    expect(m.seedPerSec).toBeGreaterThan(0);
    expect(m.ratio).toBeCloseTo(m.decidePerSec / m.seedPerSec, 9);
    expect(m.decideActionsPerPass).toBeGreaterThan(0);
    expect(m.seedCommandsPerPass).toBeGreaterThan(0);
  });

  test("the report: a table per scenario and N with date, machine and seeds; the JSON carries the same result", () => {
    const ctx = { date: "2026-01-02T03:04:05.000Z", machine: { cores: 2, cpu: "test CPU", platform: "linux", arch: "x64", bun: "1.4.5" } };
    const md = renderMarkdown(result, ctx);
    expect(md).toContain("2026-01-02T03:04:05.000Z");
    expect(md).toContain("2 cores (test CPU)");
    expect(md).toContain("Bun 1.4.5");
    expect(md).toContain("seeds 11–12");
    expect(md.match(/^## (small|import|backlog): .*; N = [12]; POLL_INTERVAL = 10 s$/gm)?.length).toBe(6);
    expect(md.match(/^\| metric \| no daemon \| seed script \(baseline\) \| daemon, MAX_WAIT=off \| daemon, defaults \| MAX_WAIT=off ÷ baseline \| defaults ÷ baseline \| defaults ÷ no daemon \|$/gm)?.length).toBe(6);
    expect(md).toContain("(timeline-small-poll10s-n1-daemon.svg)");
    expect(md).toContain("## decide() throughput");
    const json = JSON.parse(renderJson(result, ctx));
    expect(json.date).toBe(ctx.date);
    expect(json.machine).toEqual(ctx.machine);
    expect(json.groups[0].runs.seed[0]).toEqual(result.groups[0]!.runs.seed[0]);
    expect(json.groups[0].timelines).toBeUndefined(); // the pictures go to their own files
    expect(json.options.baseSeed).toBe(11);
  });

  test("the idle cost: the daemon beside its four baselines, with the differences that say where its memory goes", () => {
    const ctx = { date: "2026-01-02T03:04:05.000Z", machine: { cores: 2, cpu: "test CPU", platform: "linux", arch: "x64", bun: "1.4.5" } };
    const cost = (rssMB: number, anonMB: number, cpuSecondsPerHour: number, requests = 30) => ({ cpuSecondsPerHour, cpuMsPerLook: cpuSecondsPerHour / 0.36, rssMB, anonMB, fileMB: rssMB - anonMB, peakRssMB: rssMB + 0.1, requests });
    const idleCost = {
      pollS: 10,
      windowS: 300,
      expectedRequests: 30,
      daemon: cost(38.9, 4.9, 0.71),
      skeleton: cost(36.9, 3.2, 0.59),
      skeletonBunIo: cost(33.9, 2.1, 0.57),
      fetchLoop: cost(29.6, 1.9, 0.51),
      timer: cost(25.8, 1.6, 0.19, 0),
    };
    const md = renderMarkdown({ ...result, idleCost }, ctx);
    expect(md).toContain("| measure | daemon | skeleton | skeleton, Bun I/O | fetch loop | timer only | target (issue 6) |");
    expect(md).toContain("| resident memory (VmRSS) | 38.9 MB | 36.9 MB | 33.9 MB | 29.6 MB | 25.8 MB | < 35 MB |");
    expect(md).toContain("| CPU time per hour idle | 0.71 s | 0.59 s | 0.57 s | 0.51 s | 0.19 s | < 1 s |");
    expect(md).toContain("| looks at the queues (GET) in the window | 30 | 30 | 30 | 30 | 0 | one per POLL_INTERVAL: 30 |");
    expect(md).toContain("the runtime facilities cost the skeleton 7.3 MB over the fetch loop, of which node:fs, node:os and node:path 3.0 MB");
    expect(md).toContain("the daemon's own code costs 2.0 MB over the skeleton");
    expect(md).toContain("The daemon ÷ the skeleton: CPU 1.20×, resident 1.05×");
  });
});
