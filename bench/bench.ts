// The benchmark's core, a plain function so that `bun run bench` (run.ts)
// and the test (test/bench) run the same code at different scales: every
// POLL_INTERVAL × scenario × N × seed under the four ways of running Immich
// (controllers.ts), the daemon columns by the real Daemon class on a virtual
// clock (in-process for every seed, and over real HTTP for the first seed, to
// show the two agree), the figures aggregated over seeds with ratios against
// the baseline measured in the same run, timelines of chosen cells, and the
// decide() micro-benchmark.

import type { ProfileName } from "../src/simulator/profiles.ts";
import { type DaemonPolicy, isDaemonPolicy, POLICY_LABELS, POLICY_NAMES, type PolicyName } from "./controllers.ts";
import { runDaemon } from "./daemon-run.ts";
import type { IdleCost } from "./idle-cost.ts";
import type { RunMetrics } from "./metrics.ts";
import { type MicroOptions, type MicroResult, microBench } from "./micro.ts";
import { managedOf, runController, type RunResult, type RunSpec, type ScenarioSpec, type SimParams } from "./simulate.ts";
import { summarizeGroup, type GroupSummary } from "./summary.ts";
import { timelineSvg } from "./timeline.ts";

export interface TimelineSpec {
  scenario: ScenarioSpec["name"];
  pollMs: number;
  n: number;
  /** The window shown, from the workload's arrival. */
  fromMs: number;
  toMs: number;
}

export interface BenchOptions {
  profile: ProfileName;
  /** Engine seeds baseSeed, baseSeed+1, ... (one run of each cell per seed). */
  baseSeed: number;
  seeds: number;
  /** POLL_INTERVALs compared, each a set of groups. */
  pollsMs: readonly number[];
  /** MIN_POLL_INTERVAL of the daemon columns. */
  minPollMs: number;
  warmupMs: number;
  idleTailMs: number;
  ns: readonly number[];
  scenarios: readonly ScenarioSpec[];
  /** Whether the daemon (defaults) also runs over HTTP for the first seed of each cell. */
  http: boolean;
  /** Cells whose first seed is drawn as a timeline per policy. */
  timelines: readonly TimelineSpec[];
  micro: Pick<MicroOptions, "observations" | "minMsPerRound" | "rounds">;
  /** Monotonic milliseconds, for the micro-benchmark and the run's own duration. */
  now: () => number;
  /** One line per finished cell, for the console. */
  onProgress?: (line: string) => void;
}

export interface Agreement {
  /** HTTP runs compared with the in-process run of the same seed. */
  compared: number;
  identical: number;
  /** Metrics that differed, per differing run. */
  differences: string[];
  /** Requests the HTTP daemon made, summed over its runs. */
  requests: number;
  /** Warnings or errors any daemon logged (none in a clean run). */
  problems: string[];
  /** Real milliseconds per daemon run, mean: in-process and over HTTP. */
  directMs: number;
  httpMs: number | null;
}

export interface GroupResult {
  scenario: ScenarioSpec;
  n: number;
  pollMs: number;
  seeds: number[];
  runs: Record<PolicyName, RunMetrics[]>;
  summary: GroupSummary;
  agreement: Agreement;
  /** Per policy, an SVG of the first seed's run, for the cells in `timelines`. */
  timelines?: Record<PolicyName, string>;
}

export interface BenchResult {
  options: Omit<BenchOptions, "now" | "onProgress">;
  seeds: number[];
  groups: GroupResult[];
  micro: MicroResult;
  /** Real milliseconds the whole benchmark took. */
  realMs: number;
  /** The compiled binary idle (idle-cost.ts), when run.ts measured it. */
  idleCost?: IdleCost;
}

export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const started = o.now();
  const seeds = Array.from({ length: o.seeds }, (_, i) => o.baseSeed + i);
  const groups: GroupResult[] = [];

  for (const pollMs of o.pollsMs) {
    for (const scenario of o.scenarios) {
      for (const n of o.ns) {
        const runs = Object.fromEntries(POLICY_NAMES.map((p) => [p, [] as RunMetrics[]])) as Record<PolicyName, RunMetrics[]>;
        const agreement: Agreement = { compared: 0, identical: 0, differences: [], requests: 0, problems: [], directMs: 0, httpMs: null };
        const timeline = o.timelines.find((t) => t.scenario === scenario.name && t.pollMs === pollMs && t.n === n);
        const pictures: Partial<Record<PolicyName, string>> = {};
        let daemonRuns = 0;
        let httpMs = 0;
        for (const [i, seed] of seeds.entries()) {
          const params: SimParams = { profile: o.profile, seed, pollMs, minPollMs: o.minPollMs, warmupMs: o.warmupMs, idleTailMs: o.idleTailMs };
          for (const policy of POLICY_NAMES) {
            const spec: RunSpec = { scenario, params, n, policy };
            let r: RunResult;
            if (isDaemonPolicy(policy)) {
              const t0 = o.now();
              const d = await runDaemon(spec as RunSpec & { policy: DaemonPolicy }, "direct");
              agreement.directMs += o.now() - t0;
              daemonRuns++;
              agreement.problems.push(...d.problems.map((x) => `${policy} seed ${seed}: ${x}`));
              r = d;
              if (o.http && i === 0 && policy === "daemon") {
                const t1 = o.now();
                const h = await runDaemon(spec as RunSpec & { policy: DaemonPolicy }, "http");
                httpMs += o.now() - t1;
                agreement.compared++;
                agreement.requests += h.requests;
                agreement.problems.push(...h.problems.map((x) => `http seed ${seed}: ${x}`));
                const diff = differences(d.metrics, h.metrics);
                if (diff.length === 0) agreement.identical++;
                else agreement.differences.push(`seed ${seed}: ${diff.join(", ")}`);
              }
            } else {
              r = await runController(spec as RunSpec & { policy: "none" | "seed" });
            }
            runs[policy].push(r.metrics);
            if (timeline && i === 0) {
              pictures[policy] = timelineSvg(r.recording, {
                title: `${POLICY_LABELS[policy]}: ${scenario.name}, POLL_INTERVAL=${pollMs / 1000} s, N=${n}, seed ${seed}`,
                queues: managedOf(o.profile),
                from: r.workloadAt + timeline.fromMs,
                to: r.workloadAt + timeline.toMs,
                ...(policy === "seed" ? { actor: "seed" } : isDaemonPolicy(policy) ? { actor: "daemon" } : {}),
              });
            }
          }
        }
        agreement.directMs /= Math.max(1, daemonRuns);
        agreement.httpMs = agreement.compared > 0 ? httpMs / agreement.compared : null;
        const summary = summarizeGroup(runs, n);
        groups.push({
          scenario,
          n,
          pollMs,
          seeds,
          runs,
          summary,
          agreement,
          ...(timeline ? { timelines: pictures as Record<PolicyName, string> } : {}),
        });
        o.onProgress?.(progressLine(scenario, n, pollMs, summary, agreement));
      }
    }
  }

  const micro = microBench({ ...o.micro, now: o.now, seed: o.baseSeed, profile: o.profile, n: o.ns[0] ?? 1 });
  const { now: _now, onProgress: _p, ...options } = o;
  return { options, seeds, groups, micro, realMs: o.now() - started };
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

function progressLine(s: ScenarioSpec, n: number, pollMs: number, summary: GroupSummary, a: Agreement): string {
  const row = (k: string) => summary.rows.find((r) => r.key === k);
  const fmt = (x: number | null | undefined) => (x === null || x === undefined ? "n/a" : x.toFixed(2));
  const http = a.compared > 0 ? `; HTTP = in-process in ${a.identical}/${a.compared}` : "";
  return `${s.name} N=${n} poll=${pollMs / 1000}s: makespan daemon÷baseline ${fmt(row("makespan")?.vsBaseline?.ratio)}, thumbnail p95 ${fmt(row("thumbP95")?.vsBaseline?.ratio)}, idle per hand-over ${fmt(row("idlePerHandover")?.vsBaseline?.ratio)}${http}`;
}
