// `bun run bench`: the benchmark at full scale. The entry point: the only
// file of the benchmark that reads the real clock, the machine and argv;
// it prints the tables and writes bench/results.md and bench/results.json,
// and the headline figures into docs/benchmark.md (its bench-headline block).
//   bun bench/run.ts            full run (a few minutes on 2 cores)
//   bun bench/run.ts --quick    small scale, one seed, prints only: a smoke run in seconds

import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import { type BenchOptions, runBench } from "./bench.ts";
import { type GatesOptions, renderGates, runGatesBench } from "./gates.ts";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { benchHeadline, replaceBlock } from "../scripts/readme-blocks.ts";
import { measureIdleCost } from "./idle-cost.ts";
import { HOST_SCENARIOS, type HostBenchOptions, renderHostBench, runHostBench } from "./host-bench.ts";
import { renderJson, renderMarkdown, type ReportContext, timelineFile } from "./report.ts";

const HOUR = 3_600_000;

const FULL: Omit<BenchOptions, "now" | "onProgress"> = {
  profile: "v3.1",
  baseSeed: 42,
  seeds: 3,
  pollsMs: [10_000, 1_000], // the default POLL_INTERVAL, and the fastest the seed script is usually run at
  minPollMs: 1_000, // the daemon's default MIN_POLL_INTERVAL
  warmupMs: 25_000,
  idleTailMs: 11 * 60_000,
  ns: [1],
  scenarios: [
    { name: "small", scale: 1, photos: 5, limitMs: HOUR },
    { name: "import", scale: 1, limitMs: 48 * HOUR },
    { name: "backlog", scale: 1, trickleForMs: 8 * HOUR, limitMs: 96 * HOUR },
  ],
  http: true,
  timelines: [
    { scenario: "small", pollMs: 10_000, n: 1, fromMs: 0, toMs: 45_000 },
    { scenario: "backlog", pollMs: 10_000, n: 1, fromMs: 0, toMs: 45 * 60_000 },
  ],
  micro: { observations: 2_000, minMsPerRound: 300, rounds: 5 },
};

const QUICK: Omit<BenchOptions, "now" | "onProgress"> = {
  ...FULL,
  seeds: 1,
  scenarios: [
    { name: "small", scale: 1, photos: 5, limitMs: HOUR },
    { name: "import", scale: 0.1, limitMs: 24 * HOUR },
    { name: "backlog", scale: 0.05, trickleForMs: HOUR, limitMs: 24 * HOUR },
  ],
  micro: { observations: 500, minMsPerRound: 50, rounds: 3 },
};

/** Issue 8's windows and ML gate (gates.ts): the real daemon over HTTP, a simulated day per run. */
const GATES_FULL: GatesOptions = { seeds: [42, 43, 44], n: 2, pollMs: 10_000, photosPerBurst: 25, videosPerBurst: 1, outageBacklog: 5_000, nightBacklog: 20_000 };
const GATES_QUICK: GatesOptions = { ...GATES_FULL, seeds: [42], photosPerBurst: 5, outageBacklog: 1_000 };

/** Issue 19's responsive-host section (host-bench.ts): the modelled 2-core and 4-core hosts, the real daemon in virtual time. */
const HOST_FULL: HostBenchOptions = {
  hosts: ["real-2core", "nas-4core"],
  scenarios: [HOST_SCENARIOS.import300, HOST_SCENARIOS.import2000, HOST_SCENARIOS.day],
  seeds: [42, 43, 44],
  pollMs: 10_000,
};
const HOST_QUICK: HostBenchOptions = { ...HOST_FULL, scenarios: [HOST_SCENARIOS.import300], seeds: [42] };

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--quick");
if (unknown.length > 0) {
  console.error(`bench: unknown argument ${unknown.join(" ")}; use no arguments for the full run or --quick for a smoke run`);
  process.exit(2);
}
const quick = args.includes("--quick");

const ctx: ReportContext = {
  date: new Date().toISOString(),
  machine: {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? "unknown CPU",
    platform: process.platform,
    arch: process.arch,
    bun: Bun.version,
  },
};

const result = await runBench({
  ...(quick ? QUICK : FULL),
  now: () => performance.now(),
  onProgress: (line) => console.error(line),
});

// The compiled binary's idle cost beside its baselines (real time: five minutes at POLL_INTERVAL=10; 30 s with --quick).
const binary = join(import.meta.dir, "..", "dist", "immich-job-daemon");
if (existsSync(binary)) {
  console.error("measuring the compiled binary idle at POLL_INTERVAL=10…");
  result.idleCost = await measureIdleCost({ binary, pollS: 10, windowS: quick ? 30 : 300 });
} else {
  console.error("no dist/immich-job-daemon: run `bun run build` first to measure the idle cost");
}

const gates = await runGatesBench(quick ? GATES_QUICK : GATES_FULL, (line) => console.error(line));
const host = await runHostBench(quick ? HOST_QUICK : HOST_FULL, (line) => console.error(line));
const markdown = `${renderMarkdown(result, ctx)}\n\n${renderGates(gates)}\n\n${renderHostBench(host)}\n`;
console.log(markdown);
if (quick) {
  // A smoke run must not overwrite the real results.
  console.error("--quick: nothing written; run without it to update bench/results.md, bench/results.json and docs/benchmark.md");
} else {
  const dir = import.meta.dir;
  await Bun.write(join(dir, "results.md"), markdown);
  await Bun.write(join(dir, "results.json"), renderJson(result, ctx));
  await Bun.write(join(dir, "results-gates.json"), `${JSON.stringify(gates, null, 2)}\n`);
  await Bun.write(join(dir, "results-host.json"), `${JSON.stringify({ date: ctx.date, ...host }, null, 2)}\n`);
  for (const g of result.groups) {
    for (const [policy, svg] of Object.entries(g.timelines ?? {})) await Bun.write(join(dir, timelineFile(g, policy)), svg);
  }
  const page = join(dir, "..", "docs", "benchmark.md");
  writeFileSync(page, replaceBlock(readFileSync(page, "utf8"), "bench-headline", benchHeadline()));
  console.error("wrote bench/results.md, bench/results.json, bench/results-gates.json, bench/results-host.json, the timelines and docs/benchmark.md's headline");
}
