// The benchmark's host section (issue 19, item 6): on the modelled 2-core
// and 4-core hosts (src/simulator/host-profiles.ts), three workloads — the
// issue's 300-photo import, a 2,000-photo import, and a day of hourly
// uploads with an outside load of 1 core for two hours — each run with no
// daemon, N=1, N=2, N=1 with every queue's concurrency 1, auto, and auto
// with TUNE_CONCURRENCY (MAX_PRESSURE=cpu=40), on the same seeds. The
// figures: drain time, CPU pressure share, worst cpu some avg10, time to
// thumbnail p95, changes per hour; and the goal checked from them.
// Runs bench/host-run.ts (the real Daemon on a virtual clock); pure apart
// from that.

import type { HostProfileName } from "../src/simulator/host-profiles.ts";
import { type HostRunResult, type HostSetting, type HostWorkload, runOnHost } from "./host-run.ts";

const HOUR = 3_600_000;

export const HOST_SETTINGS = ["none", "n1", "n2", "n1c1", "auto", "autoTune"] as const;
export type HostSettingName = (typeof HOST_SETTINGS)[number];

export const HOST_SETTING_LABELS: Record<HostSettingName, string> = {
  none: "no daemon",
  n1: "N=1",
  n2: "N=2",
  n1c1: "N=1, concurrency 1",
  auto: "auto",
  autoTune: "auto + TUNE_CONCURRENCY",
};

/** The target every auto run has: MAX_PRESSURE=cpu=40. */
export const TARGET_PCT = 40;

const SETTINGS: Record<HostSettingName, HostSetting> = {
  none: { kind: "none" },
  n1: { kind: "daemon", n: 1 },
  n2: { kind: "daemon", n: 2 },
  n1c1: { kind: "daemon", n: 1, concurrency1: true },
  auto: { kind: "auto", tune: false, target: { cpu: TARGET_PCT } },
  autoTune: { kind: "auto", tune: true, target: { cpu: TARGET_PCT } },
};

export interface HostScenario {
  name: string;
  label: string;
  /** Report Immich's busy time (work active or pending) and the pressure within it instead of the drain time and the run's share (a day is mostly idle). */
  busy?: boolean;
  workload: HostWorkload;
  limitMs: number;
}

export interface HostBenchOptions {
  hosts: HostProfileName[];
  scenarios: HostScenario[];
  seeds: number[];
  pollMs: number;
}

/** The workloads. ML down everywhere: the measured host had no ML service (its costs would be estimates). */
export const HOST_SCENARIOS: Record<"import300" | "import2000" | "day", HostScenario> = {
  import300: { name: "import300", label: "300 photos + 3 videos at once", workload: { photos: 300, videos: 3, ml: false }, limitMs: 6 * HOUR },
  import2000: { name: "import2000", label: "2,000 photos + 3 videos at once", workload: { photos: 2_000, videos: 3, ml: false }, limitMs: 24 * HOUR },
  day: {
    name: "day",
    label: "a day: 300 photos + 1 video every hour for 12 h, an outside load of 1 core from hour 2 to hour 4",
    busy: true,
    workload: { photos: 300, videos: 1, ml: false, bursts: 12, everyMs: HOUR, outside: { cores: 1, atMs: 2 * HOUR, forMs: 2 * HOUR } },
    limitMs: 36 * HOUR,
  },
};

/** One cell: the mean over the seeds (undefined drain if any seed did not drain). */
export interface HostCell {
  drainMs: number | undefined;
  cpuPressurePct: number;
  worstAvg10: number;
  thumbnailP95Ms: number | undefined;
  changesPerHour: number;
  problems: string[];
}

export interface HostGoal {
  /** auto + tuning's pressure share, and whether it is ≤ the target. */
  autoTunePressurePct: number;
  pressureMet: boolean;
  /** The fastest fixed setting that stays ≤ the target, if any, and auto + tuning's drain over its drain. */
  fastestUnderTarget?: HostSettingName;
  drainRatio?: number;
  drainMet?: boolean;
  /** On a host with more than 2 cores: auto drains faster than N=1. */
  autoFasterThanN1?: boolean;
}

export interface HostBenchResult {
  options: HostBenchOptions;
  /** cells[scenario][host][setting] */
  cells: Record<string, Record<string, Record<HostSettingName, HostCell>>>;
  goals: Record<string, Record<string, HostGoal>>;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

function aggregate(runs: HostRunResult[], busy: boolean): HostCell {
  const drains = runs.map((r) => (busy && r.drainMs !== undefined ? r.busyMs : r.drainMs));
  const thumbs = runs.flatMap((r) => (r.thumbnailP95Ms === undefined ? [] : [r.thumbnailP95Ms]));
  return {
    drainMs: drains.every((d) => d !== undefined) ? mean(drains as number[]) : undefined,
    cpuPressurePct: mean(runs.map((r) => (busy ? r.busyPressurePct : r.cpuPressurePct))),
    worstAvg10: mean(runs.map((r) => r.worstAvg10)),
    thumbnailP95Ms: thumbs.length === runs.length ? mean(thumbs) : undefined,
    changesPerHour: mean(runs.map((r) => r.changesPerHour)),
    problems: [...new Set(runs.flatMap((r) => r.problems))],
  };
}

const FIXED: HostSettingName[] = ["none", "n1", "n2", "n1c1"];

export function goalOf(row: Record<HostSettingName, HostCell>, cores: number): HostGoal {
  const at = row.autoTune;
  const goal: HostGoal = { autoTunePressurePct: at.cpuPressurePct, pressureMet: at.cpuPressurePct <= TARGET_PCT };
  const under = FIXED.filter((s) => row[s].cpuPressurePct <= TARGET_PCT && row[s].drainMs !== undefined).sort(
    (a, b) => row[a].drainMs! - row[b].drainMs!,
  );
  const fastest = under[0];
  if (fastest && at.drainMs !== undefined) {
    goal.fastestUnderTarget = fastest;
    goal.drainRatio = at.drainMs / row[fastest].drainMs!;
    goal.drainMet = goal.drainRatio <= 1.2;
  }
  if (cores > 2 && row.auto.drainMs !== undefined && row.n1.drainMs !== undefined) goal.autoFasterThanN1 = row.auto.drainMs < row.n1.drainMs;
  return goal;
}

export async function runHostBench(o: HostBenchOptions, onProgress: (line: string) => void = () => {}): Promise<HostBenchResult> {
  const { HOST_PROFILES } = await import("../src/simulator/host-profiles.ts");
  const cells: HostBenchResult["cells"] = {};
  const goals: HostBenchResult["goals"] = {};
  for (const sc of o.scenarios) {
    cells[sc.name] = {};
    goals[sc.name] = {};
    for (const host of o.hosts) {
      const row = {} as Record<HostSettingName, HostCell>;
      for (const name of HOST_SETTINGS) {
        const runs: HostRunResult[] = [];
        for (const seed of o.seeds) {
          runs.push(await runOnHost({ host, workload: sc.workload, setting: SETTINGS[name], pollMs: o.pollMs, seed, limitMs: sc.limitMs }));
        }
        row[name] = aggregate(runs, sc.busy ?? false);
      }
      cells[sc.name]![host] = row;
      goals[sc.name]![host] = goalOf(row, HOST_PROFILES[host].cores);
      onProgress(`host bench: ${sc.name} on ${host} done`);
    }
  }
  return { options: o, cells, goals };
}

function seconds(ms: number | undefined): string {
  if (ms === undefined) return "not drained";
  const s = ms / 1000;
  if (s >= 3 * 3600) return `${(s / 3600).toFixed(2)} h`;
  if (s >= 600) return `${(s / 60).toFixed(1)} min`;
  return `${s.toFixed(1)} s`;
}

export function renderHostBench(r: HostBenchResult): string {
  const o = r.options;
  const out: string[] = [
    "## Responsive host (issue 19): the modelled 2-core and 4-core hosts",
    "",
    `The simulator's host model (src/simulator/host.ts; real-2core calibrated on a real 2-core Immich v3.1.0, nas-4core an estimate), the real Daemon class on a virtual clock, POLL_INTERVAL=${o.pollMs / 1000}, no ML service (as on the measured host), seed${o.seeds.length === 1 ? "" : "s"} ${o.seeds.join(", ")} (every figure a mean over them). auto = MAX_CONCURRENT_JOBS=auto (1–4), MAX_PRESSURE=cpu=${TARGET_PCT}; the daemon reads the modelled host's PSI file text with its own local meter. "CPU pressure" is the share of the run (first upload → no job left) during which some task waited for a CPU; "worst avg10" the highest cpu some avg10; "changes/h" the controller's changes of N and concurrency per hour.`,
    "",
  ];
  for (const sc of o.scenarios) {
    out.push(`### ${sc.label}`, "");
    if (sc.busy) out.push("Here \"drained in\" is Immich's busy time (work active or pending: each burst from its arrival until it is drained) and \"CPU pressure\" the share of that time: the day is mostly idle.", "");
    for (const host of o.hosts) {
      const row = r.cells[sc.name]?.[host];
      if (!row) continue;
      out.push(`**${host}**`, "", "| setting | drained in | CPU pressure | worst avg10 | thumbnail p95 | changes/h |", "|---|---:|---:|---:|---:|---:|");
      for (const name of HOST_SETTINGS) {
        const c = row[name];
        out.push(
          `| ${HOST_SETTING_LABELS[name]} | ${seconds(c.drainMs)} | ${c.cpuPressurePct.toFixed(0)} % | ${c.worstAvg10.toFixed(0)} | ${seconds(c.thumbnailP95Ms)} | ${c.changesPerHour.toFixed(1)} |`,
        );
      }
      const g = r.goals[sc.name]?.[host];
      if (g) {
        const parts = [`auto + tuning ${g.autoTunePressurePct.toFixed(0)} % ${g.pressureMet ? "≤" : ">"} ${TARGET_PCT} % (${g.pressureMet ? "met" : "NOT met"})`];
        if (g.fastestUnderTarget) {
          parts.push(`drain ${g.drainRatio!.toFixed(2)}× the fastest fixed setting under ${TARGET_PCT} % (${HOST_SETTING_LABELS[g.fastestUnderTarget]}; ${g.drainMet ? "met" : "NOT met"}: ≤ 1.2×)`);
        } else {
          parts.push(`no fixed setting stays under ${TARGET_PCT} %`);
        }
        if (g.autoFasterThanN1 !== undefined) parts.push(`auto ${g.autoFasterThanN1 ? "drains faster than" : "does NOT drain faster than"} N=1`);
        out.push("", `Goal: ${parts.join("; ")}.`);
      }
      const problems = HOST_SETTINGS.flatMap((n) => row[n].problems.map((p) => `${HOST_SETTING_LABELS[n]}: ${p}`));
      if (problems.length > 0) out.push("", `Problems logged: ${problems.slice(0, 5).join("; ")}`);
      out.push("");
    }
  }
  return out.join("\n");
}
