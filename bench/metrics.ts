// What one benchmark run reports, computed from the simulator's recording
// (sim-summary.ts: the same measures the tests use), the slot meter and the
// controller's command counts. Plain data, so it goes to JSON as it is.

import { PROTECTED_QUEUES } from "../src/core/queues.ts";
import type { Recording } from "../src/simulator/engine-types.ts";
import { lastActivityEnd, maxActiveQueues, percentile, timeOverCap, timesToThumbnail } from "../src/simulator/sim-summary.ts";
import type { CommandCount, PolicyName } from "./controllers.ts";
import type { SlotMeter } from "./meter.ts";
import type { RequestCounts } from "./requests.ts";

const HOUR = 3_600_000;

export interface RunMetrics {
  policy: PolicyName;
  /** "direct": the policy applied to the engine in-process; "http": the real Daemon and client over HTTP. */
  via: "direct" | "http";
  n: number;
  /** Every job done before the simulated limit. */
  finished: boolean;
  /** Workload arrival to the last job's end, in simulated ms (null if not finished). */
  makespanMs: number | null;
  /** Most managed queues with active jobs at one moment. */
  maxActive: number;
  /** Simulated ms with more than N managed queues active. */
  overCapMs: number;
  /** Uploads' arrival-to-thumbnail times (simulated ms). */
  thumbnails: { uploads: number; withThumbnail: number; p50Ms: number | null; p95Ms: number | null };
  /** Slot·ms with a free slot while a managed queue had pending work (meter.ts). */
  idleSlotMs: number;
  /** Stretches of such idle slot time: hand-overs that waited. */
  handovers: number;
  /** idleSlotMs ÷ handovers (null when no hand-over waited). */
  idlePerHandoverMs: number | null;
  /** Simulated ms during which some managed queue had work. */
  busyMs: number;
  /**
   * Requests per simulated hour: while some managed queue had work (busy),
   * and in the idle tail after the work (its first minute aside). GET = the
   * controller's looks at the queues, PUT = its pause and resume commands.
   */
  perHour: { busyGet: number | null; busyPut: number | null; idleGet: number | null; idlePut: number | null };
  /** Pause and resume commands sent from the workload's arrival until the end (not at start-up, not at exit). */
  commands: number;
  pauses: number;
  resumes: number;
  /** Commands sent at start-up, before the workload arrived. */
  startupCommands: number;
  /** Commands sent on exit (the daemon resumes what it paused). */
  exitCommands: number;
  /** Protected queues (queues.ts PROTECTED_QUEUES: backgroundTask, notifications...) that were ever paused. */
  protectedPaused: string[];
  /** Queues still paused after the controller exited. */
  pausedAfterExit: string[];
  /** Simulated ms from the workload's arrival to the end of the run. */
  simulatedMs: number;
  /** Looks at the queues (GET) from the workload's arrival to the end, tail included. */
  polls: number;
}

export interface SummaryInput {
  policy: PolicyName;
  via: RunMetrics["via"];
  n: number;
  managed: readonly string[];
  workloadAt: number;
  finished: boolean;
  recording: Recording;
  meter: SlotMeter;
  /** Commands sent before the workload arrived (included in `sent`). */
  startup: CommandCount;
  sent: CommandCount;
  sentOnExit: CommandCount;
  pausedAfterExit: string[];
  /** Requests counted from the workload's arrival. */
  requests: RequestCounts;
  /** The measured idle window: its requests and length. */
  idle?: { counts: RequestCounts; ms: number };
}

export function summarize(i: SummaryInput): RunMetrics {
  const rec = i.recording;
  const thumbs = timesToThumbnail(rec);
  const protectedQueues = new Set(Object.keys(PROTECTED_QUEUES));
  const protectedPaused = [...new Set(rec.pauseChanges.filter((c) => c.paused && protectedQueues.has(c.queue)).map((c) => c.queue))];
  return {
    policy: i.policy,
    via: i.via,
    n: i.n,
    finished: i.finished,
    makespanMs: i.finished ? lastActivityEnd(rec, i.workloadAt) - i.workloadAt : null,
    maxActive: maxActiveQueues(rec, i.managed),
    overCapMs: timeOverCap(rec, i.n, i.managed),
    thumbnails: {
      uploads: rec.uploads.length,
      withThumbnail: thumbs.length,
      p50Ms: percentile(thumbs, 50) ?? null,
      p95Ms: percentile(thumbs, 95) ?? null,
    },
    idleSlotMs: i.meter.idleSlotMs,
    handovers: i.meter.idleEpisodes,
    idlePerHandoverMs: i.meter.idleEpisodes > 0 ? i.meter.idleSlotMs / i.meter.idleEpisodes : null,
    busyMs: i.meter.busyMs,
    perHour: {
      busyGet: i.meter.busyMs > 0 ? (i.requests.getBusy / i.meter.busyMs) * HOUR : null,
      busyPut: i.meter.busyMs > 0 ? (i.requests.putBusy / i.meter.busyMs) * HOUR : null,
      idleGet: i.idle ? ((i.idle.counts.getIdle + i.idle.counts.getBusy) / i.idle.ms) * HOUR : null,
      idlePut: i.idle ? ((i.idle.counts.putIdle + i.idle.counts.putBusy) / i.idle.ms) * HOUR : null,
    },
    commands: i.sent.pauses - i.startup.pauses + i.sent.resumes - i.startup.resumes,
    pauses: i.sent.pauses - i.startup.pauses,
    resumes: i.sent.resumes - i.startup.resumes,
    startupCommands: i.startup.pauses + i.startup.resumes,
    exitCommands: i.sentOnExit.pauses + i.sentOnExit.resumes,
    protectedPaused: protectedPaused.sort(),
    pausedAfterExit: i.pausedAfterExit,
    simulatedMs: rec.now - i.workloadAt,
    polls: i.requests.getBusy + i.requests.getIdle,
  };
}
