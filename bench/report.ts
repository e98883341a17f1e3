// Renders a BenchResult as bench/results.md (a table per scenario and N, the
// micro-benchmark, how to read it) and as bench/results.json (the same
// result, every run included). Pure: the date and the machine come in as
// data from run.ts.

import { BACKLOG_ASSETS, BACKLOG_TRICKLE_MS, IMPORT_PHOTOS, IMPORT_VIDEOS } from "../src/simulator/scenarios.ts";
import { IDLE_SETTLE_S, type ProgramCost } from "./idle-cost.ts";
import type { BenchResult, GroupResult } from "./bench.ts";
import { POLICY_LABELS, POLICY_NAMES } from "./controllers.ts";
import type { ScenarioSpec } from "./simulate.ts";
import type { Cell, Ratio, Row } from "./summary.ts";
import { formatDuration, UNIT_MS, unitFor } from "../scripts/duration-format.ts";

export interface Machine {
  cores: number;
  cpu: string;
  platform: string;
  arch: string;
  bun: string;
}

export interface ReportContext {
  /** ISO date-time of the run. */
  date: string;
  machine: Machine;
}

export { formatDuration };

/** One row's figures in one unit (that of its largest), so they compare at a glance. */
function formatValue(row: Row, c: Cell): string {
  if (c.mean === null) return "n/a";
  const partial = c.runs < c.of ? ` (${c.runs}/${c.of} runs)` : "";
  if (row.unit === "count") return `${Number.isInteger(c.mean) ? c.mean : c.mean.toFixed(1)}${partial}`;
  if (row.unit === "per-hour") return `${c.mean < 10 ? c.mean.toFixed(1) : Math.round(c.mean).toLocaleString("en")}${partial}`;
  if (c.mean === 0) return `0${partial}`;
  const largest = Math.max(...Object.values(row.values).map((v) => v.mean ?? 0));
  let unit = unitFor(largest);
  // A small figure beside a large one keeps its own unit rather than read "0.00 h".
  if (Math.abs(c.mean) / UNIT_MS[unit] < 0.1) unit = unitFor(c.mean);
  const text = formatDuration(c.mean, unit);
  return `${row.unit === "slot-ms" ? text.replace(" ", " slot·") : text}${partial}`;
}

export function formatRatio(r: Ratio | null): string {
  if (r === null) return "—";
  if (r.note === "both zero") return "= (both 0)";
  if (r.note === "baseline zero") return "∞ (other is 0)";
  if (r.ratio === null) return "n/a";
  const range = r.min !== null && r.max !== null && fixed(r.min) !== fixed(r.max) ? ` (${fixed(r.min)}–${fixed(r.max)})` : "";
  return `${fixed(r.ratio)}${range}`;
}

/** Two decimals, or two significant digits below 0.1 (an idle time cut 200-fold is not "0.00"). */
function fixed(x: number): string {
  if (x === 0) return "0";
  if (x >= 1000) return Math.round(x).toLocaleString("en");
  return Math.abs(x) < 0.1 ? x.toPrecision(2) : x.toFixed(2);
}

export function describeScenario(s: ScenarioSpec): string {
  if (s.name === "small") return `small: ${s.photos ?? 5} photos uploaded to an idle server`;
  if (s.name === "import") {
    const photos = Math.round(IMPORT_PHOTOS * s.scale);
    const videos = Math.round(IMPORT_VIDEOS * s.scale);
    const when = s.spreadMs ? `over ${formatDuration(s.spreadMs)}` : "at once";
    return `import: ${photos.toLocaleString("en")} photos and ${videos} videos uploaded ${when}`;
  }
  const assets = Math.round(BACKLOG_ASSETS * s.scale);
  const trickle = s.trickleForMs === undefined ? "without end" : `for ${formatDuration(s.trickleForMs)}`;
  return `backlog: machine learning switched on over ${assets.toLocaleString("en")} existing assets (smartSearch and faceDetection), with a new upload every ~${BACKLOG_TRICKLE_MS / 1000} s ${trickle}`;
}

function list(names: readonly string[]): string {
  return names.length === 0 ? "none" : `${names.length} (${names.join(", ")})`;
}

function groupSection(g: GroupResult): string {
  const lines: string[] = [];
  lines.push(`## ${describeScenario(g.scenario)}; N = ${g.n}; POLL_INTERVAL = ${g.pollMs / 1000} s`, "");
  lines.push(`| metric | ${POLICY_NAMES.map((p) => POLICY_LABELS[p]).join(" | ")} | MAX_WAIT=off ÷ baseline | defaults ÷ baseline | defaults ÷ no daemon |`);
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const row of g.summary.rows) {
    const values = POLICY_NAMES.map((p) => formatValue(row, row.values[p]));
    lines.push(`| ${row.label} | ${values.join(" | ")} | ${formatRatio(row.strictVsBaseline)} | ${formatRatio(row.vsBaseline)} | ${formatRatio(row.vsNone)} |`);
  }
  lines.push("");
  const s = g.summary;
  lines.push(`- Protected queues ever paused: seed script ${list(s.protectedPaused.seed)}; daemon ${list(s.protectedPaused.daemon)}.`);
  lines.push(`- Left paused after exit: seed script ${list(s.pausedAfterExit.seed)}; daemon ${list(s.pausedAfterExit.daemon)}.`);
  const unfinished = POLICY_NAMES.filter((p) => s.finished[p].finished < s.finished[p].of);
  if (unfinished.length > 0) {
    lines.push(`- Did not finish within ${formatDuration(g.scenario.limitMs)}: ${unfinished.map((p) => `${p} ${s.finished[p].of - s.finished[p].finished}/${s.finished[p].of}`).join(", ")}.`);
  }
  const a = g.agreement;
  if (a.compared > 0) {
    const diff = a.differences.length > 0 ? `; differences: ${a.differences.join("; ")}` : "";
    lines.push(
      `- Daemon (defaults) over HTTP (real client, ${a.requests.toLocaleString("en")} requests) vs the same Daemon in-process: ${a.identical}/${a.compared} runs identical on every metric${diff}. Real time per daemon run: ${(a.httpMs ?? 0).toFixed(0)} ms over HTTP, ${a.directMs.toFixed(0)} ms in-process.`,
    );
  }
  if (g.timelines) lines.push(`- Timelines of seed ${g.seeds[0]}: ${POLICY_NAMES.map((p) => `[${POLICY_LABELS[p]}](${timelineFile(g, p)})`).join(", ")}.`);
  if (a.problems.length > 0) lines.push(`- The daemon logged: ${a.problems.slice(0, 5).join("; ")}${a.problems.length > 5 ? " …" : ""}`);
  lines.push("");
  return lines.join("\n");
}

export function renderMarkdown(r: BenchResult, ctx: ReportContext): string {
  const o = r.options;
  const m = ctx.machine;
  const seeds = r.seeds.length === 1 ? `seed ${r.seeds[0]}` : `seeds ${r.seeds[0]}–${r.seeds[r.seeds.length - 1]}`;
  const mi = r.micro;
  const out: string[] = [
    "# Scheduling benchmark",
    "",
    `Written by \`bun run bench\` (bench/run.ts) on ${ctx.date}; regenerate rather than edit.`,
    "",
    `- Machine: ${m.cores} cores (${m.cpu}), ${m.platform} ${m.arch}, Bun ${m.bun}.`,
    `- Simulated Immich ${o.profile} (src/simulator: BullMQ pause semantics, the upload pipeline, a small NAS's job durations with ±40 % seeded jitter), in virtual time.`,
    `- Engine ${seeds}: every figure is the mean of ${r.seeds.length} run${r.seeds.length === 1 ? "" : "s"}, one per seed, all columns on the same seeds; a ratio is the ratio of the means, with the range of the per-seed ratios in brackets.`,
    `- POLL_INTERVAL ${o.pollsMs.map((p) => `${p / 1000} s`).join(" and ")}: the seed script polls at that fixed pace; the daemon looks at that pace when nothing is about to change and down to MIN_POLL_INTERVAL = ${o.minPollMs / 1000} s when a hand-over is near (rule 12). Both start ${o.warmupMs / 1000} s before the workload arrives (already running). After the work, ${o.idleTailMs / 60_000} min idle; its last ${(o.idleTailMs - 60_000) / 60_000} min give the idle request rates. Metrics count the daemon's managed queues (DEFAULT_PRIORITY).`,
    `- Baseline: the original script's algorithm (bench/seed-policy.ts). Daemon columns: the real \`Daemon\` class on a virtual clock, in-process against the simulator's engine (bench/engine-client.ts), ${o.http ? "and for each cell's first seed also over HTTP on 127.0.0.1 with the real Immich client, to show the two agree" : "not over HTTP in this run"}. "MAX_WAIT=off" is the daemon with the shell script's strict order; "defaults" is MAX_WAIT=10m.`,
    `- The whole benchmark took ${(r.realMs / 1000).toFixed(1)} s of real time.`,
    "",
    "Ratios below 1 mean the daemon has less of it than the other (less time, fewer queues, fewer commands). `=` means both are 0.",
    "",
  ];
  for (const g of r.groups) out.push(groupSection(g));
  const ic = r.idleCost;
  if (ic) {
    const cols = [ic.daemon, ic.skeleton, ic.skeletonBunIo, ic.fetchLoop, ic.timer];
    const row = (label: string, f: (c: ProgramCost) => string) => `| ${label} | ${cols.map(f).join(" | ")} |`;
    const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : "–");
    const mb = (x: number) => `${x.toFixed(1)} MB`;
    out.push(
      "## Idle cost of the compiled binary",
      "",
      `\`dist/immich-job-daemon run\` at POLL_INTERVAL=${ic.pollS} against an idle simulated Immich in the benchmark's process, beside four baselines compiled in the same run with the same build flags (bench/baselines/): a program that only wakes at that pace; a loop that only fetches and parses \`/api/queues\` at that pace; a daemon's skeleton, that loop plus the runtime facilities the daemon uses while idle (consola writing a start line, node:fs's synchronous writes, a heartbeat written atomically then touched after every look, node:os and node:path, signal handlers, a timeout per request, a regular expression over each answer) and none of its logic; and the same skeleton with Bun's own I/O (Bun.write) in place of node:fs, node:os and node:path. All five run at once and are watched over the same ${ic.windowS} s after a ${IDLE_SETTLE_S} s settle (bench/idle-cost.ts): CPU from every thread's run time (/proc/PID/task/*/schedstat, nanoseconds), memory from /proc/PID/status.`,
      "",
      "| measure | daemon | skeleton | skeleton, Bun I/O | fetch loop | timer only | target (issue 6) |",
      "|---|---:|---:|---:|---:|---:|---:|",
      `${row("CPU time per hour idle", (c) => `${c.cpuSecondsPerHour.toFixed(2)} s`)} < 1 s |`,
      `${row("CPU time per look", (c) => `${c.cpuMsPerLook.toFixed(2)} ms`)} |`,
      `${row("resident memory (VmRSS)", (c) => mb(c.rssMB))} < 35 MB |`,
      `${row("of which anonymous (RssAnon: heap, own)", (c) => mb(c.anonMB))} |`,
      `${row("of which file-backed (RssFile: the binary's touched pages, shared, reclaimable)", (c) => mb(c.fileMB))} |`,
      `${row("peak resident (VmHWM)", (c) => mb(c.peakRssMB))} |`,
      `${row("looks at the queues (GET) in the window", (c) => String(c.requests))} one per POLL_INTERVAL: ${ic.expectedRequests} |`,
      "",
      `The daemon ÷ the skeleton: CPU ${ratio(ic.daemon.cpuSecondsPerHour, ic.skeleton.cpuSecondsPerHour)}, resident ${ratio(ic.daemon.rssMB, ic.skeleton.rssMB)}, anonymous ${ratio(ic.daemon.anonMB, ic.skeleton.anonMB)}. The daemon ÷ the fetch loop: CPU ${ratio(ic.daemon.cpuSecondsPerHour, ic.fetchLoop.cpuSecondsPerHour)}, resident ${ratio(ic.daemon.rssMB, ic.fetchLoop.rssMB)}, anonymous ${ratio(ic.daemon.anonMB, ic.fetchLoop.anonMB)}.`,
      "",
      `Resident memory, read as differences: the runtime facilities cost the skeleton ${mb(ic.skeleton.rssMB - ic.fetchLoop.rssMB)} over the fetch loop, of which node:fs, node:os and node:path ${mb(ic.skeleton.rssMB - ic.skeletonBunIo.rssMB)} (the skeleton minus its Bun-I/O twin); the daemon's own code costs ${mb(ic.daemon.rssMB - ic.skeleton.rssMB)} over the skeleton.`,
      "",
    );
  }
  out.push(
    "## decide() throughput",
    "",
    `${mi.observations.toLocaleString("en")} seeded random observations of all ${mi.queuesPerObservation} queues (half with nothing active, so the seed's poll does its full work on those), fed in sequence to each function with its memory carried over; median of ${mi.rounds} rounds, alternating which runs first.`,
    "",
    "| | decisions/s | µs per decision |",
    "|---|---:|---:|",
    `| seed script's poll (baseline) | ${Math.round(mi.seedPerSec).toLocaleString("en")} | ${(1e6 / mi.seedPerSec).toFixed(2)} |`,
    `| decide() | ${Math.round(mi.decidePerSec).toLocaleString("en")} | ${mi.decideMicros.toFixed(2)} |`,
    `| decide() ÷ baseline | ${mi.ratio.toFixed(2)} | |`,
    "",
    `decide() does more per call (ownership, holds, the cap, MAX_WAIT, standby, notices and a view of every queue for logs and \`status\`); at ${mi.decideMicros.toFixed(0)} µs a decision, even one look a second is ${(mi.decideMicros / 1e6 * 100).toExponential(1)} % of the daemon's time.`,
    "",
    "## How the figures are measured",
    "",
    "- No daemon: Immich alone, nothing paused. Seed script: each poll, if any queue has active jobs it does nothing; otherwise it resumes the first N queues in its order that have queued jobs and pauses every other queue (all 19, protected ones included), sending only the changes from what it remembers commanding; on exit it sends nothing.",
    "- Makespan: from the workload's arrival to the end of the last job. Time over the cap and the max come from the simulator's record of when each queue had active jobs (src/simulator/sim-summary.ts).",
    "- Time to thumbnail: arrival of an upload to the end of its thumbnail job (in the backlog scenario, only the new uploads; the backlog assets already have thumbnails).",
    "- Idle slot time (work conservation): slot·time during which fewer than N managed queues had active jobs while some managed queue without active jobs had pending ones; integrated exactly over every job event and poll (bench/meter.ts). Per hand-over: that total over the number of stretches of it (each a hand-over that waited).",
    "- Requests per hour: the controller's looks at the queues (GET) and its pause/resume commands (PUT), busy = while some managed queue had work, over that time; idle = in the idle tail after the work, once the last hand-over's looks are over.",
    "- Commands: pause and resume requests sent from the workload's arrival to the end. Start-up commands (the seed pauses all 19 queues, the daemon its idle managed ones) and the daemon's exit resumes are in results.json (startupCommands, exitCommands).",
    "",
  );
  return out.join("\n");
}

export function renderJson(r: BenchResult, ctx: ReportContext): string {
  const groups = r.groups.map(({ timelines: _t, ...g }) => g);
  return JSON.stringify({ date: ctx.date, machine: ctx.machine, ...r, groups }, null, 2) + "\n";
}

/** Where a group's timeline of one policy is written, relative to bench/. */
export function timelineFile(g: GroupResult, policy: string): string {
  return `timeline-${g.scenario.name}-poll${g.pollMs / 1000}s-n${g.n}-${policy}.svg`;
}
