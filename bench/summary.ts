// Aggregates one scenario × N over the seeds: per metric, the mean (and
// range) for each way of running Immich, and the daemon's figure as a ratio
// to the baseline (the seed script) and to no daemon. A ratio is the ratio
// of the means; its range is that of the per-seed ratios, so a reader sees
// whether a difference is larger than the run-to-run noise of job durations.

import { POLICY_NAMES, type PolicyName } from "./controllers.ts";
import type { RunMetrics } from "./metrics.ts";

export interface Cell {
  /** Mean over the runs that have a value (null if none has). */
  mean: number | null;
  min: number | null;
  max: number | null;
  /** Runs with a value, of `of`. */
  runs: number;
  of: number;
}

export interface Ratio {
  /** mean(daemon) / mean(other); null when the other is 0 (see note). */
  ratio: number | null;
  /** Range of the per-seed ratios. */
  min: number | null;
  max: number | null;
  note?: "both zero" | "baseline zero";
}

export type Unit = "ms" | "slot-ms" | "count" | "per-hour";

export interface Row {
  key: string;
  label: string;
  unit: Unit;
  values: Record<PolicyName, Cell>;
  /** Daemon (defaults) ÷ seed script; null where a ratio says nothing. */
  vsBaseline: Ratio | null;
  /** Daemon with MAX_WAIT=off ÷ seed script. */
  strictVsBaseline: Ratio | null;
  /** Daemon ÷ no daemon; null where a ratio says nothing (e.g. no daemon sends no commands). */
  vsNone: Ratio | null;
}

export interface GroupSummary {
  rows: Row[];
  /** Union over seeds of the protected queues each way of running ever paused. */
  protectedPaused: Record<PolicyName, string[]>;
  /** Union over seeds of the queues left paused after exit. */
  pausedAfterExit: Record<PolicyName, string[]>;
  /** Runs that finished all their work within the limit. */
  finished: Record<PolicyName, { finished: number; of: number }>;
}

interface MetricDef {
  key: string;
  label: (n: number) => string;
  unit: Unit;
  get: (m: RunMetrics) => number | null;
  vsBaseline: boolean;
  vsNone: boolean;
}

const METRICS: readonly MetricDef[] = [
  { key: "makespan", label: () => "makespan (workload arrival to last job done)", unit: "ms", get: (m) => m.makespanMs, vsBaseline: true, vsNone: true },
  { key: "thumbP50", label: () => "new uploads' time to thumbnail, p50", unit: "ms", get: (m) => m.thumbnails.p50Ms, vsBaseline: true, vsNone: true },
  { key: "thumbP95", label: () => "new uploads' time to thumbnail, p95", unit: "ms", get: (m) => m.thumbnails.p95Ms, vsBaseline: true, vsNone: true },
  // No daemon never leaves a slot idle (everything runs) and sends no commands: no ratio to it.
  { key: "idlePerHandover", label: () => "idle slot time per hand-over (a slot free while work waited)", unit: "ms", get: (m) => m.idlePerHandoverMs, vsBaseline: true, vsNone: false },
  { key: "idleSlot", label: () => "idle slot time, in all", unit: "slot-ms", get: (m) => m.idleSlotMs, vsBaseline: true, vsNone: false },
  { key: "maxActive", label: () => "max managed queues active at once", unit: "count", get: (m) => m.maxActive, vsBaseline: true, vsNone: true },
  { key: "overCap", label: (n) => `time with more than N = ${n} managed queues active`, unit: "ms", get: (m) => m.overCapMs, vsBaseline: true, vsNone: true },
  { key: "busyGet", label: () => "GET requests per hour, busy", unit: "per-hour", get: (m) => m.perHour.busyGet, vsBaseline: true, vsNone: false },
  { key: "busyPut", label: () => "PUT requests (pause/resume) per hour, busy", unit: "per-hour", get: (m) => m.perHour.busyPut, vsBaseline: true, vsNone: false },
  { key: "idleGet", label: () => "GET requests per hour, idle", unit: "per-hour", get: (m) => m.perHour.idleGet, vsBaseline: true, vsNone: false },
  { key: "idlePut", label: () => "PUT requests per hour, idle", unit: "per-hour", get: (m) => m.perHour.idlePut, vsBaseline: true, vsNone: false },
  { key: "commands", label: () => "pause/resume commands sent (workload arrival to end)", unit: "count", get: (m) => m.commands, vsBaseline: true, vsNone: false },
  { key: "protectedPaused", label: () => "protected queues ever paused (backgroundTask, notifications, …)", unit: "count", get: (m) => m.protectedPaused.length, vsBaseline: false, vsNone: false },
  { key: "pausedAfterExit", label: () => "queues left paused after the tool exits", unit: "count", get: (m) => m.pausedAfterExit.length, vsBaseline: false, vsNone: false },
];

function cell(values: readonly (number | null)[]): Cell {
  const xs = values.filter((x): x is number => x !== null);
  if (xs.length === 0) return { mean: null, min: null, max: null, runs: 0, of: values.length };
  return {
    mean: xs.reduce((a, b) => a + b, 0) / xs.length,
    min: Math.min(...xs),
    max: Math.max(...xs),
    runs: xs.length,
    of: values.length,
  };
}

/** Daemon ÷ other, over the seeds where both have a value. */
export function ratio(daemon: readonly (number | null)[], other: readonly (number | null)[]): Ratio {
  const pairs = daemon.flatMap((d, i) => {
    const o = other[i];
    return d === null || o === null || o === undefined ? [] : [[d, o] as const];
  });
  const sum = (k: 0 | 1) => pairs.reduce((a, p) => a + p[k], 0);
  const d = sum(0);
  const o = sum(1);
  if (pairs.length === 0) return { ratio: null, min: null, max: null };
  if (o === 0) return { ratio: null, min: null, max: null, note: d === 0 ? "both zero" : "baseline zero" };
  const per = pairs.filter((p) => p[1] !== 0).map((p) => p[0] / p[1]);
  return { ratio: d / o, min: Math.min(...per), max: Math.max(...per) };
}

export function summarizeGroup(runs: Record<PolicyName, RunMetrics[]>, n: number): GroupSummary {
  const rows = METRICS.map((def): Row => {
    const values = Object.fromEntries(POLICY_NAMES.map((p) => [p, cell(runs[p].map(def.get))])) as Record<PolicyName, Cell>;
    const d = runs.daemon.map(def.get);
    return {
      key: def.key,
      label: def.label(n),
      unit: def.unit,
      values,
      vsBaseline: def.vsBaseline ? ratio(d, runs.seed.map(def.get)) : null,
      strictVsBaseline: def.vsBaseline ? ratio(runs.strict.map(def.get), runs.seed.map(def.get)) : null,
      vsNone: def.vsNone ? ratio(d, runs.none.map(def.get)) : null,
    };
  });
  const union = (f: (m: RunMetrics) => string[]) =>
    Object.fromEntries(POLICY_NAMES.map((p) => [p, [...new Set(runs[p].flatMap(f))].sort()])) as Record<PolicyName, string[]>;
  return {
    rows,
    protectedPaused: union((m) => m.protectedPaused),
    pausedAfterExit: union((m) => m.pausedAfterExit),
    finished: Object.fromEntries(
      POLICY_NAMES.map((p) => [p, { finished: runs[p].filter((m) => m.finished).length, of: runs[p].length }]),
    ) as GroupSummary["finished"],
  };
}
