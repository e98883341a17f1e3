// The benchmark's headline figures for docs/benchmark.md, rendered from a
// run's results.json: per workload and POLL_INTERVAL the idle slot time per
// hand-over, new uploads' time to thumbnail and the makespan, and the idle
// cost of the compiled binary beside its baselines. bench/run.ts writes it
// into docs/benchmark.md's `bench-headline` block after a full run, and
// test/readme.test.ts fails when the block and bench/results.json disagree,
// so the page never shows figures no run produced. It reads the JSON by the
// shapes below (what bench/report.ts's renderJson writes; the benchmark's
// own types fit them), so that the docs scripts import nothing of bench/.

import { formatDuration } from "./duration-format.ts";

type Policy = "none" | "seed" | "strict" | "daemon";
/** A row of a group's summary (bench/summary.ts Row): its mean per policy. */
interface Row {
  key: string;
  values: Record<Policy, { mean: number | null }>;
}
/** One compiled program's idle cost (bench/idle-cost.ts ProgramCost). */
interface ProgramCost {
  cpuSecondsPerHour: number;
  rssMB: number;
  anonMB: number;
  fileMB: number;
}

/** What the headline reads of results.json (renderJson's output). */
export interface HeadlineSource {
  date: string;
  machine: { cores: number; bun: string };
  options: { profile: string };
  seeds: number[];
  groups: { scenario: { name: string }; n: number; pollMs: number; summary: { rows: Row[] } }[];
  idleCost?: { pollS: number; windowS: number; daemon: ProgramCost; skeleton: ProgramCost; skeletonBunIo: ProgramCost; fetchLoop: ProgramCost; timer: ProgramCost };
}

const WORKLOAD: Record<string, string> = {
  small: "5 photos on an idle server",
  import: "import (2,000 photos + 60 videos)",
  backlog: "ML backlog (20,000 assets) + an upload every ~30 s for 8 h",
};

function row(g: HeadlineSource["groups"][number], key: string): Row {
  const r = g.summary.rows.find((x) => x.key === key);
  if (!r) throw new Error(`results.json has no ${key} row for ${g.scenario.name}`);
  return r;
}

function ms(r: Row, policy: Policy): string {
  const m = r.values[policy].mean;
  return m === null ? "n/a" : formatDuration(m);
}

export function renderHeadline(s: HeadlineSource): string {
  const out = [
    `Run of ${s.date.slice(0, 10)} (${s.machine.cores} cores, Bun ${s.machine.bun}, simulated Immich ${s.options.profile}, ${s.seeds.length} seed${s.seeds.length === 1 ? "" : "s"}, N = ${[...new Set(s.groups.map((g) => g.n))].join(", ")}); columns: the shell script, the daemon with \`MAX_WAIT=off\` (its strict order), the daemon with its defaults.`,
    "",
    "| workload | POLL_INTERVAL | idle slot time per hand-over: script / off / defaults | new uploads' time to thumbnail p50 / p95: Immich alone · script · off · defaults | makespan: script / defaults |",
    "|---|---:|---:|---:|---:|",
  ];
  for (const g of s.groups) {
    const idle = row(g, "idlePerHandover");
    const p50 = row(g, "thumbP50");
    const p95 = row(g, "thumbP95");
    const make = row(g, "makespan");
    const thumbs = (["none", "seed", "strict", "daemon"] as const).map((p) => `${ms(p50, p)} / ${ms(p95, p)}`).join(" · ");
    out.push(
      `| ${WORKLOAD[g.scenario.name] ?? g.scenario.name} | ${g.pollMs / 1000} s | ${ms(idle, "seed")} / ${ms(idle, "strict")} / ${ms(idle, "daemon")} | ${thumbs} | ${ms(make, "seed")} / ${ms(make, "daemon")} |`,
    );
  }
  const ic = s.idleCost;
  if (ic) {
    const cols: [string, ProgramCost][] = [
      ["daemon", ic.daemon],
      ["skeleton", ic.skeleton],
      ["skeleton, Bun I/O", ic.skeletonBunIo],
      ["a loop that only fetches `/api/queues`", ic.fetchLoop],
      ["a program that only wakes", ic.timer],
    ];
    const line = (label: string, f: (c: ProgramCost) => string, target: string) => `| ${label} | ${cols.map(([, c]) => f(c)).join(" | ")} | ${target} |`;
    const mb = (x: number) => `${x.toFixed(1)} MB`;
    out.push(
      "",
      `Idle at POLL_INTERVAL=${ic.pollS}, all five compiled with the same flags and watched at once for ${ic.windowS} s:`,
      "",
      `| | ${cols.map(([n]) => n).join(" | ")} | target |`,
      `|---|${cols.map(() => "---:").join("|")}|---:|`,
      line("CPU per hour", (c) => `${c.cpuSecondsPerHour.toFixed(2)} s`, "< 1 s"),
      line("resident (VmRSS)", (c) => mb(c.rssMB), "< 35 MB"),
      line("of which its own heap (RssAnon)", (c) => mb(c.anonMB), ""),
      line("of which pages of the binary it touched (RssFile: shared, reclaimable)", (c) => mb(c.fileMB), ""),
    );
  }
  return out.join("\n");
}
