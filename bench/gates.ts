// The benchmark of issue 8's gates, run as in production minus the wall
// clock: the real Daemon, its GateWatch and the Immich client over real HTTP
// against the in-process simulator (with its machine-learning service), on
// one VirtualClock. Two workloads, each with the gate and without it, the
// same seed for both, so the difference is the gate's:
// - a nightly day: uploads by day (08:00-20:00 Berlin) beside an ML backlog
//   longer than a night, WINDOWS="ml=22:00-06:00";
//   figures: ML work begun outside the window (must be 0), active jobs that
//   ran on past the close and for how long, and what the window costs in
//   makespan (first upload to the last asset fully processed);
// - an ML outage: the ML box off for two hours, once while the ML queues wait
//   (switched off before the day's uploads reach them) and once in the middle
//   of an ML backlog; figures: ML jobs failed and dropped, with ML_URL and without.

import { CONFIG_DEFAULTS } from "../src/config/defaults.ts";
import { DEFAULT_PRIORITY, ML_QUEUES } from "../src/core/queues.ts";
import { parseWindows } from "../src/core/window-syntax.ts";
import { Daemon } from "../src/daemon/daemon.ts";
import { PassThroughWatch } from "../src/daemon/pass-through-watch.ts";
import { type GateSources, GateWatch } from "../src/daemon/gates.ts";
import type { Log } from "../src/daemon/log.ts";
import { createMlProbe } from "../src/daemon/ml-probe.ts";
import { memoryStateStore } from "../src/daemon/state-file.ts";
import { createImmichClient } from "../src/immich/index.ts";
import { VirtualClock, watchFirstSleep } from "../src/shared/clock.ts";
import type { Engine, Recording } from "../src/simulator/engine-types.ts";
import { type Simulator, startSimulator } from "../src/simulator/server.ts";
import { percentile, timesToThumbnail, windowKeeping, type WindowKeeping } from "../src/simulator/sim-summary.ts";

const KEY = "bench-gates-key-0001";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const NIGHT_WINDOWS = "ml=22:00-06:00";
export const ZONE = "Europe/Berlin";
/** Friday 9 January 2026, 06:00 in Berlin. */
const DAY_START = Date.UTC(2026, 0, 9, 5);

export interface GatesOptions {
  seeds: number[];
  n: number;
  pollMs: number;
  /** Uploads per burst (every 15 min from 08:00 to 20:00: 48 bursts) and videos per burst. */
  photosPerBurst: number;
  videosPerBurst: number;
  /** Existing ML backlog (smartSearch and faceDetection) for the mid-run outage. */
  outageBacklog: number;
  /** Existing ML backlog on the nightly day: more than a night's work, so the window closes on running jobs. */
  nightBacklog: number;
}

interface Run {
  rec: Recording;
  problems: string[];
  endedAt: number;
}

/** One run: the daemon (with `gates`) over HTTP on a fresh simulator; `plan` schedules the workload on the engine. */
async function run(
  seed: number,
  o: GatesOptions,
  limitMs: number,
  plan: (engine: Engine, sim: Simulator) => void,
  gates?: (sim: Simulator) => GateSources,
): Promise<Run> {
  const problems: string[] = [];
  const clock = new VirtualClock(DAY_START);
  const sim = await startSimulator({ clock, seed, mlPort: 0, keys: [{ key: KEY, label: "daemon", admin: true, scopes: ["all"] }], onError: (e) => problems.push(String(e)) });
  const log: Log = { debug() {}, info() {}, warn() {}, error: (m) => problems.push(m) };
  const client = createImmichClient({ baseUrl: sim.url, apiKey: KEY, fetch, clock, timeoutMs: 10_000 });
  const { clock: daemonClock, firstSleep } = watchFirstSleep(clock);
  const daemon = new Daemon({
    client,
    clock: daemonClock,
    log,
    // The production defaults (daemon-commands.ts): standby entry queues, MAX_WAIT, the look-again floor.
    policy: { maxConcurrent: o.n, priority: DEFAULT_PRIORITY, standby: true, maxWaitMs: CONFIG_DEFAULTS.maxWaitMs },
    pollIntervalMs: o.pollMs,
    minPollIntervalMs: CONFIG_DEFAULTS.minPollIntervalMs,
    dryRun: false,
    onExit: "resume",
    store: memoryStateStore(),
    random: () => 0.5,
    ...(gates ? { gates: new GateWatch(gates(sim), daemonClock, log) } : {}),
    passThrough: new PassThroughWatch({ client, clock: daemonClock, log, managed: DEFAULT_PRIORITY }),
  });
  const controller = new AbortController();
  const running = daemon.run(controller.signal);
  try {
    await firstSleep;
    plan(sim.engine, sim);
    const deadline = DAY_START + limitMs;
    // An hour at a time; stop once everything is done (nothing pending, no arrival to come).
    while (clock.now() < deadline) {
      await clock.advance(HOUR);
      if (sim.engine.isIdle() && sim.engine.nextEventAt() === undefined) break;
    }
    controller.abort();
    await running;
    await daemon.shutdown();
    return { rec: sim.engine.recording(), problems, endedAt: clock.now() };
  } finally {
    controller.abort();
    await sim.stop();
  }
}

/** Uploads every 15 minutes from 08:00 to 20:00 (Berlin). */
function dayUploads(engine: Engine, o: GatesOptions): void {
  for (let t = DAY_START + 2 * HOUR; t < DAY_START + 14 * HOUR; t += 15 * MINUTE) {
    engine.schedule(t, () => engine.upload({ photos: o.photosPerBurst, videos: o.videosPerBurst }));
  }
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const mlFailed = (rec: Recording) => ML_QUEUES.reduce((n, q) => n + (rec.failedJobs[q] ?? 0), 0);
/** First arrival to the last upload fully processed (undefined if some never were). */
function makespan(rec: Recording): number | undefined {
  if (rec.uploads.length === 0 || rec.uploads.some((u) => u.doneAt === undefined)) return undefined;
  return Math.max(...rec.uploads.map((u) => u.doneAt!)) - Math.min(...rec.uploads.map((u) => u.arrivedAt));
}

export interface NightlyRun {
  seed: number;
  makespanMs: { free: number | undefined; windowed: number | undefined };
  thumbnailP95Ms: { free: number | undefined; windowed: number | undefined };
  keeping: WindowKeeping;
  problems: string[];
}

export interface OutageRun {
  seed: number;
  case: "while waiting" | "mid-run";
  /** ML jobs failed and dropped. */
  failed: { gate: number; none: number };
  /** Uploads left without every step done (dropped ML work), of all. */
  unfinished: { gate: number; none: number; of: number };
  problems: string[];
}

export interface GatesResult {
  options: GatesOptions;
  nightly: NightlyRun[];
  outage: OutageRun[];
}

export async function runGatesBench(o: GatesOptions, onProgress?: (line: string) => void): Promise<GatesResult> {
  const parsed = parseWindows(NIGHT_WINDOWS, DEFAULT_PRIORITY);
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  const schedule = { zone: ZONE, windows: parsed.windows };
  const nightly: NightlyRun[] = [];
  const outage: OutageRun[] = [];
  for (const seed of o.seeds) {
    const windows = () => ({ schedule, managed: DEFAULT_PRIORITY });
    // The day's uploads alone: what the window costs them.
    const plan = (e: Engine) => dayUploads(e, o);
    const free = await run(seed, o, 48 * HOUR, plan);
    const windowed = await run(seed, o, 48 * HOUR, plan, windows);
    // Beside a backlog longer than a night: the window closes on running jobs.
    const backlog = await run(seed, o, 48 * HOUR, (e) => {
      e.addExisting({ photos: o.nightBacklog, queues: ["smartSearch", "faceDetection"] });
      dayUploads(e, o);
    }, windows);
    const k = windowKeeping(backlog.rec, ML_QUEUES, parsed.windows.smartSearch!, ZONE);
    const kDay = windowKeeping(windowed.rec, ML_QUEUES, parsed.windows.smartSearch!, ZONE);
    if (kDay.startedOutsideMs > 0) throw new Error(`ML work began outside the window on the plain day (seed ${seed})`);
    const p95 = (r: Run) => percentile(timesToThumbnail(r.rec), 95);
    nightly.push({
      seed,
      makespanMs: { free: makespan(free.rec), windowed: makespan(windowed.rec) },
      thumbnailP95Ms: { free: p95(free), windowed: p95(windowed) },
      keeping: k,
      problems: [...free.problems, ...windowed.problems, ...backlog.problems],
    });
    onProgress?.(`gates: nightly seed ${seed} done`);

    const gate = (sim: Simulator) => ({ managed: DEFAULT_PRIORITY, ml: { urls: [sim.ml!.url], probe: createMlProbe([sim.ml!.url], fetch) } });
    // The box switched off at 07:00 (before the day's first upload), back at 09:00.
    const waiting = (e: Engine, sim: Simulator) => {
      dayUploads(e, o);
      e.schedule(DAY_START + HOUR, () => sim.ml!.setUp(false));
      e.schedule(DAY_START + 3 * HOUR, () => sim.ml!.setUp(true));
    };
    // An ML backlog running; the box goes away an hour in, for two hours.
    const midRun = (e: Engine, sim: Simulator) => {
      e.addExisting({ photos: o.outageBacklog, queues: ["smartSearch", "faceDetection"] });
      e.upload({ photos: o.photosPerBurst });
      e.schedule(DAY_START + HOUR, () => sim.ml!.setUp(false));
      e.schedule(DAY_START + 3 * HOUR, () => sim.ml!.setUp(true));
    };
    for (const [name, plan2] of [["while waiting", waiting], ["mid-run", midRun]] as const) {
      const withGate = await run(seed, o, 48 * HOUR, plan2, gate);
      const without = await run(seed, o, 48 * HOUR, plan2);
      const unfinished = (r: Run) => r.rec.uploads.filter((u) => u.doneAt === undefined).length;
      outage.push({
        seed,
        case: name,
        failed: { gate: mlFailed(withGate.rec), none: mlFailed(without.rec) },
        unfinished: { gate: unfinished(withGate), none: unfinished(without), of: withGate.rec.uploads.length },
        problems: [...withGate.problems, ...without.problems],
      });
      if (sum(withGate.rec.failedJobs) !== mlFailed(withGate.rec)) throw new Error("a job outside the ML queues failed");
    }
    onProgress?.(`gates: ML outage seed ${seed} done`);
  }
  return { options: o, nightly, outage };
}

const fmt = (ms: number | undefined) => (ms === undefined ? "n/a" : ms >= 2 * HOUR ? `${(ms / HOUR).toFixed(2)} h` : ms >= 100_000 ? `${(ms / MINUTE).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`);
const mean = (xs: (number | undefined)[]) => {
  const v = xs.filter((x): x is number => x !== undefined);
  return v.length === xs.length && v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
};

/** The section of bench/results.md. */
export function renderGates(r: GatesResult): string {
  const o = r.options;
  const n = r.nightly;
  const free = mean(n.map((x) => x.makespanMs.free));
  const win = mean(n.map((x) => x.makespanMs.windowed));
  const problems = [...n.flatMap((x) => x.problems), ...r.outage.flatMap((x) => x.problems)];
  const lines = [
    "## Quiet hours and the ML gate (issue 8)",
    "",
    `The real daemon over HTTP against the simulator with its machine-learning service, N=${o.n}, POLL_INTERVAL=${o.pollMs / 1000} s and the other defaults (MAX_WAIT 10 min, standby), ` +
      `seeds ${o.seeds.join(", ")} (mean over them; the same seed with and without the gate). ` +
      `A day in Berlin from Friday 06:00: ${o.photosPerBurst} photos and ${o.videosPerBurst} video${o.videosPerBurst === 1 ? "" : "s"} every 15 minutes from 08:00 to 20:00 ` +
      `(${48 * o.photosPerBurst} photos, ${48 * o.videosPerBurst} videos); for the window's edges, the same day beside ${o.nightBacklog.toLocaleString("en-US")} library photos waiting for smartSearch and faceDetection ` +
      "(more than a night's work: the window closes on running jobs).",
    "",
    `### A nightly day: \`WINDOWS="${NIGHT_WINDOWS}"\``,
    "",
    "| figure | no window | ml=22:00-06:00 |",
    "|---|---|---|",
    `| with the backlog: ML work begun outside the window | — | ${fmt(mean(n.map((x) => x.keeping.startedOutsideMs)))} |`,
    `| with the backlog: closes with ML jobs active (queue × close) | — | ${(mean(n.map((x) => x.keeping.overruns)) ?? 0).toFixed(1).replace(/\.0$/, "")} |`,
    `| with the backlog: how long those jobs ran past the close, longest | — | ${fmt(mean(n.map((x) => x.keeping.maxOverrunMs)))} |`,
    `| with the backlog: ML queue-hours active inside the window | — | ${fmt(mean(n.map((x) => x.keeping.insideMs)))} |`,
    `| makespan (first upload to last asset fully processed) | ${fmt(free)} | ${fmt(win)} (×${free && win ? (win / free).toFixed(2) : "n/a"}) |`,
    `| time to thumbnail, p95 | ${fmt(mean(n.map((x) => x.thumbnailP95Ms.free)))} | ${fmt(mean(n.map((x) => x.thumbnailP95Ms.windowed)))} |`,
    "",
    "ML work begun outside the window is 0 (on the plain day too, checked): after 06:00 only the " +
      "jobs active at the close finish, and the longest of them ran on for the figure above. The " +
      "window's cost is the wait for the night: the day's ML work is done after 22:00 instead of as " +
      "it arrives. Thumbnails do not wait for it.",
    "",
    "### The ML box off for two hours",
    "",
    "| when it goes off | ML jobs failed and dropped, with ML_URL | without | uploads left unfinished, with | without |",
    "|---|---|---|---|---|",
  ];
  for (const c of ["while waiting", "mid-run"] as const) {
    const rows = r.outage.filter((x) => x.case === c);
    const m = (f: (x: OutageRun) => number) => {
      const v = mean(rows.map(f)) ?? 0;
      const lo = Math.min(...rows.map(f));
      const hi = Math.max(...rows.map(f));
      return `${Number.isInteger(v) ? v : v.toFixed(1)}${lo !== hi ? ` (${lo}–${hi})` : ""}`;
    };
    const of = rows[0]?.unfinished.of ?? 0;
    const label = c === "while waiting" ? "07:00, before the day's uploads reach the ML queues" : `an hour into a ${o.outageBacklog.toLocaleString("en-US")}-photo ML backlog`;
    lines.push(`| ${label} | ${m((x) => x.failed.gate)} | ${m((x) => x.failed.none)} | ${m((x) => x.unfinished.gate)} of ${of} | ${m((x) => x.unfinished.none)} of ${of} |`);
  }
  lines.push(
    "",
    "With the gate, an outage that begins while the ML queues wait costs nothing; one that begins " +
      "while they run costs the jobs that start before the daemon's next look (failing jobs take " +
      "0.1 s each in the simulator, so up to POLL_INTERVAL × concurrency / 0.1 s). Without it " +
      "every ML job of the outage fails and is dropped until someone runs \"missing\".",
    "",
    problems.length ? `Problems logged: ${problems.slice(0, 5).join("; ")}` : "No warning or error was logged in these runs.",
  );
  return lines.join("\n");
}
