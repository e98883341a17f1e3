// The benchmark's core, a plain function so that `bun run bench` (run.ts)
// and the test (test/bench) run the same code at different scales: every
// scenario × N × seed under the three ways of running Immich, the daemon both
// over real HTTP (the real Daemon and client) and in-process (decide() on the
// engine), a check that those two agree, the figures aggregated over seeds
// with ratios against the baseline measured in the same run, and the decide()
// micro-benchmark.

import type { ProfileName } from "../src/simulator/profiles.ts";
import { POLICY_NAMES, type PolicyName } from "./controllers.ts";
import { runOverHttp } from "./http-run.ts";
import type { RunMetrics } from "./metrics.ts";
import { type MicroOptions, type MicroResult, microBench } from "./micro.ts";
import { runDirect, type RunSpec, type ScenarioSpec, type SimParams } from "./simulate.ts";
import { summarizeGroup, type GroupSummary } from "./summary.ts";

export interface BenchOptions {
  profile: ProfileName;
  /** Engine seeds baseSeed, baseSeed+1, ... (one run of each cell per seed). */
  baseSeed: number;
  seeds: number;
  pollMs: number;
  warmupMs: number;
  ns: readonly number[];
  scenarios: readonly ScenarioSpec[];
  /** Which daemon runs also go over HTTP: every seed, the first seed only, or none. */
  http: "all" | "first" | "none";
  micro: Pick<MicroOptions, "observations" | "minMsPerRound" | "rounds">;
  /** Monotonic milliseconds, for the micro-benchmark and the run's own duration. */
  now: () => number;
  /** One line per finished cell, for the console. */
  onProgress?: (line: string) => void;
}

export interface Agreement {
  /** HTTP runs compared with the in-process decide() run of the same seed. */
  compared: number;
  /** Those whose every metric was identical. */
  identical: number;
  /** Metrics that differed, per differing run. */
  differences: string[];
  /** Requests the HTTP daemon made, summed over its runs. */
  requests: number;
  /** Warnings or errors the HTTP daemon logged (none in a clean run). */
  problems: string[];
  /** Real milliseconds per run, mean: in-process and over HTTP. */
  directMs: number;
  httpMs: number | null;
}

export interface GroupResult {
  scenario: ScenarioSpec;
  n: number;
  seeds: number[];
  /** Per policy, one RunMetrics per seed; `daemon` holds the HTTP runs when they were made for every seed. */
  runs: Record<PolicyName, RunMetrics[]>;
  /** The in-process decide() runs (identical to the HTTP ones when those agree). */
  daemonDirect: RunMetrics[];
  summary: GroupSummary;
  agreement: Agreement;
}

export interface BenchResult {
  options: Omit<BenchOptions, "now" | "onProgress">;
  seeds: number[];
  params: SimParams[];
  groups: GroupResult[];
  micro: MicroResult;
  /** Real milliseconds the whole benchmark took. */
  realMs: number;
}

export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const started = o.now();
  const seeds = Array.from({ length: o.seeds }, (_, i) => o.baseSeed + i);
  const params = seeds.map((seed): SimParams => ({ profile: o.profile, seed, pollMs: o.pollMs, warmupMs: o.warmupMs }));
  const groups: GroupResult[] = [];

  for (const scenario of o.scenarios) {
    for (const n of o.ns) {
      const runs: Record<PolicyName, RunMetrics[]> = { none: [], seed: [], daemon: [] };
      const daemonDirect: RunMetrics[] = [];
      const agreement: Agreement = { compared: 0, identical: 0, differences: [], requests: 0, problems: [], directMs: 0, httpMs: null };
      let directRuns = 0;
      let httpMs = 0;
      for (const [i, p] of params.entries()) {
        for (const policy of POLICY_NAMES) {
          const spec: RunSpec = { scenario, params: p, n, policy };
          const t0 = o.now();
          const direct = await runDirect(spec);
          agreement.directMs += o.now() - t0;
          directRuns++;
          if (policy !== "daemon") {
            runs[policy].push(direct);
            continue;
          }
          daemonDirect.push(direct);
          const overHttp = o.http === "all" || (o.http === "first" && i === 0);
          if (!overHttp) {
            runs.daemon.push(direct);
            continue;
          }
          const t1 = o.now();
          const h = await runOverHttp(spec);
          httpMs += o.now() - t1;
          agreement.compared++;
          agreement.requests += h.requests;
          agreement.problems.push(...h.problems.map((x) => `seed ${p.seed}: ${x}`));
          const diff = differences(direct, h.metrics);
          if (diff.length === 0) agreement.identical++;
          else agreement.differences.push(`seed ${p.seed}: ${diff.join(", ")}`);
          // The daemon's column is the real daemon's whenever it ran for every seed.
          runs.daemon.push(o.http === "all" ? h.metrics : direct);
        }
      }
      agreement.directMs /= Math.max(1, directRuns);
      agreement.httpMs = agreement.compared > 0 ? httpMs / agreement.compared : null;
      const summary = summarizeGroup(runs, n);
      groups.push({ scenario, n, seeds, runs, daemonDirect, summary, agreement });
      o.onProgress?.(progressLine(scenario, n, summary, agreement));
    }
  }

  const micro = microBench({ ...o.micro, now: o.now, seed: o.baseSeed, profile: o.profile, n: o.ns[0] ?? 1 });
  const { now: _now, onProgress: _p, ...options } = o;
  return { options, seeds, params, groups, micro, realMs: o.now() - started };
}

/** Names of the metrics on which two runs of the same spec differ (`via` aside). */
export function differences(a: RunMetrics, b: RunMetrics): string[] {
  const out: string[] = [];
  for (const key of Object.keys(a) as (keyof RunMetrics)[]) {
    if (key === "via") continue;
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out.push(key);
  }
  return out;
}

function progressLine(s: ScenarioSpec, n: number, summary: GroupSummary, a: Agreement): string {
  const mk = summary.rows.find((r) => r.key === "makespan");
  const th = summary.rows.find((r) => r.key === "thumbP50");
  const fmt = (x: number | null | undefined) => (x === null || x === undefined ? "n/a" : x.toFixed(2));
  const http = a.compared > 0 ? `; HTTP = in-process in ${a.identical}/${a.compared}` : "";
  return `${s.name} N=${n}: makespan daemon÷baseline ${fmt(mk?.vsBaseline?.ratio)}, thumbnail p50 ${fmt(th?.vsBaseline?.ratio)}${http}`;
}
