// The benchmark's responsive-host section (bench/host-bench.ts) at a small
// scale: every setting runs and drains on both modelled hosts, the figures
// hold what they are meant to show (the fixed settings never change
// anything, concurrency 1 gives the least pressure, the auto runs change
// N/concurrency and the tuned one never more pressure than auto alone), the
// goal is judged from the cells as the issue words it, and the table says so.

import { beforeAll, describe, expect, test } from "bun:test";
import { goalOf, type HostBenchResult, type HostCell, HOST_SCENARIOS, HOST_SETTINGS, renderHostBench, runHostBench } from "../../bench/host-bench.ts";

let result: HostBenchResult;
const small = { ...HOST_SCENARIOS.import300, name: "small", label: "60 photos + 1 video", workload: { photos: 60, videos: 1, ml: false } };
const day = {
  ...HOST_SCENARIOS.day,
  name: "smallday",
  label: "a small day",
  workload: { ...HOST_SCENARIOS.day.workload, photos: 60, bursts: 3 },
};

beforeAll(async () => {
  result = await runHostBench({ hosts: ["real-2core", "nas-4core"], scenarios: [small, day], seeds: [42], pollMs: 10_000 });
}, 60_000);

describe("the responsive-host section", () => {
  test("every setting drains on both hosts without a problem logged", () => {
    for (const sc of ["small", "smallday"]) {
      for (const host of ["real-2core", "nas-4core"]) {
        for (const s of HOST_SETTINGS) {
          const c = result.cells[sc]![host]![s];
          expect({ sc, host, s, drained: c.drainMs !== undefined, problems: c.problems }).toEqual({ sc, host, s, drained: true, problems: [] });
          expect(c.cpuPressurePct).toBeGreaterThanOrEqual(0);
          expect(c.cpuPressurePct).toBeLessThanOrEqual(100);
          expect(c.thumbnailP95Ms).toBeGreaterThan(0);
        }
      }
    }
  });

  test("fixed settings change nothing; concurrency 1 has the least pressure; the day's outside load shows in the worst avg10", () => {
    for (const host of ["real-2core", "nas-4core"]) {
      const row = result.cells.small![host]!;
      for (const s of ["none", "n1", "n2", "n1c1"] as const) expect(row[s].changesPerHour).toBe(0);
      for (const s of ["none", "n1", "n2"] as const) expect(row.n1c1.cpuPressurePct).toBeLessThan(row[s].cpuPressurePct);
      // Never more pressure than auto alone, in seconds of stall: the share of the run also counts
      // the idle gaps while a stage waits for a poll, and tuning's pressure watch closes those (on
      // the 4-core host 60 photos drain in 27.1 s instead of 30.1 s with the same 8.08 s of stall:
      // 29.8 % of the run against 26.9 %).
      const stall = (c: HostCell) => (c.cpuPressurePct / 100) * c.drainMs!;
      expect(stall(row.autoTune)).toBeLessThanOrEqual(stall(row.auto) * 1.01);
    }
    // Two bursts under an outside core on 2 cores: pressure even at concurrency 1.
    expect(result.cells.smallday!["real-2core"]!.n1c1.worstAvg10).toBeGreaterThan(20);
  });

  test("the goal is judged as the issue words it", () => {
    const cell = (drainS: number, pressure: number): HostCell => ({
      drainMs: drainS * 1000,
      cpuPressurePct: pressure,
      worstAvg10: 0,
      thumbnailP95Ms: 1,
      changesPerHour: 0,
      problems: [],
    });
    const row = { none: cell(50, 84), n1: cell(55, 70), n2: cell(53, 78), n1c1: cell(78, 35), auto: cell(54, 69), autoTune: cell(90, 39) };
    expect(goalOf(row, 2)).toEqual({ autoTunePressurePct: 39, pressureMet: true, fastestUnderTarget: "n1c1", drainRatio: 90 / 78, drainMet: true });
    expect(goalOf({ ...row, autoTune: cell(95, 41) }, 4)).toMatchObject({ pressureMet: false, drainMet: false, autoFasterThanN1: true });
    expect(goalOf({ ...row, n1c1: cell(78, 45), autoTune: cell(60, 39) }, 2)).toEqual({ autoTunePressurePct: 39, pressureMet: true });
  });

  test("the table lists every setting on both hosts and states the goal", () => {
    const md = renderHostBench(result);
    expect(md).toContain("## Responsive host (issue 19)");
    for (const label of ["no daemon", "N=1", "N=2", "N=1, concurrency 1", "auto", "auto + TUNE_CONCURRENCY"]) expect(md).toContain(`| ${label} |`);
    expect(md.match(/^Goal: /gm)).toHaveLength(4);
    expect(md).toContain("Immich's busy time");
  });
});
