// The host's pressure read from another machine (DESIGN.md §2 rule 15,
// PRESSURE_URL): a Prometheus node_exporter's /metrics on Immich's host. Its
// PSI counters, node_pressure_{cpu,io,memory}_waiting_seconds_total, grow by
// the seconds during which some task waited; their increase between two looks
// as a share of the time between them is the pressure (the "some" share, as
// PSI's own avg10 is over ten seconds). The time between looks is the
// exporter's own node_time_seconds when it reports one (so a simulator's
// accelerated clock, or a slow answer, does not skew it), else the daemon's
// clock.
//
// A tiny strict parser rather than a library: three unlabelled counters are
// all that is read, the exposition format's sample line is one regular
// expression, and the daemon's binary stays free of a parser it would load
// at every look (issue 6, idle memory). parse-prometheus-text-format (a
// devDependency, used by the tests to check the status server's /metrics)
// builds every family of the page and accepts malformed lines without a word.
// Bounded: 1 MB and PRESSURE_TIMEOUT_MS; never throws.

import type { PressureFigures } from "../core/auto-cap.ts";
import type { PressureResource } from "../core/pressure-syntax.ts";
import { BodyTooLarge, readLimited } from "../immich/json-guard.ts";
import type { PressureLook, PressureMeter } from "./pressure.ts";

export const PRESSURE_MAX_BYTES = 1024 * 1024;
export const PRESSURE_TIMEOUT_MS = 5_000;

export const NODE_PRESSURE_METRICS: Record<PressureResource, string> = {
  cpu: "node_pressure_cpu_waiting_seconds_total",
  io: "node_pressure_io_waiting_seconds_total",
  memory: "node_pressure_memory_waiting_seconds_total",
};
const TIME_METRIC = "node_time_seconds";

/** `name{labels} value [timestamp]`; a float as Prometheus writes them. */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?[ \t]+([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|Inf|NaN))(?:[ \t]+-?\d+)?[ \t]*$/;

export interface NodeSample {
  /** Seconds waited, per resource found. */
  waited: Partial<Record<PressureResource, number>>;
  /** The exporter's clock (node_time_seconds), if it reports one. */
  time?: number;
}

/** The PSI counters of a node_exporter page, or why the page is not one. */
export function parseNodePressure(text: string, wanted: readonly PressureResource[]): NodeSample | { problem: string } {
  const byName = new Map<string, PressureResource>(wanted.map((r) => [NODE_PRESSURE_METRICS[r], r]));
  const out: NodeSample = { waited: {} };
  let lineNo = 0;
  for (const line of text.split("\n")) {
    lineNo++;
    if (line === "" || line.startsWith("#")) continue;
    const m = SAMPLE.exec(line.trimEnd());
    if (!m) return { problem: `line ${lineNo} is not a Prometheus sample (${JSON.stringify(line.slice(0, 60))})` };
    const name = m[1]!;
    const value = Number(m[3]);
    const r = byName.get(name);
    if (r !== undefined) {
      if (!Number.isFinite(value) || value < 0) return { problem: `${name} is ${m[3]}, not a count of seconds` };
      if (out.waited[r] !== undefined) return { problem: `${name} appears twice` };
      out.waited[r] = value;
    } else if (name === TIME_METRIC && Number.isFinite(value)) {
      out.time = value;
    }
  }
  const missing = wanted.filter((r) => out.waited[r] === undefined);
  if (missing.length > 0) return { problem: `it has no ${missing.map((r) => NODE_PRESSURE_METRICS[r]).join(", ")} (node_exporter's pressure collector, Linux 4.20+ with PSI)` };
  return out;
}

/** Per resource, the share of the time between two samples during which some task waited, in percent (0-100). */
export function shareBetween(before: NodeSample & { at: number }, after: NodeSample & { at: number }, wanted: readonly PressureResource[]): PressureFigures | undefined {
  const elapsed = before.time !== undefined && after.time !== undefined ? after.time - before.time : (after.at - before.at) / 1000;
  if (!(elapsed > 0)) return undefined;
  const out: PressureFigures = {};
  for (const r of wanted) {
    const d = after.waited[r]! - before.waited[r]!;
    // A counter that went back: the exporter or the host restarted; start afresh.
    if (d < 0) return undefined;
    out[r] = Math.min(100, (d / elapsed) * 100);
  }
  return out;
}

/** The meter over PRESSURE_URL. */
export function nodeExporterMeter(url: string, wanted: readonly PressureResource[], fetchFn: typeof fetch, now: () => number, timeoutMs = PRESSURE_TIMEOUT_MS): PressureMeter {
  let previous: (NodeSample & { at: number }) | undefined;
  return {
    source: url,
    async read(signal?: AbortSignal): Promise<PressureLook> {
      const timeout = AbortSignal.timeout(timeoutMs);
      let text: string;
      try {
        const res = await fetchFn(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, redirect: "manual", headers: { accept: "text/plain" } });
        if (!res.ok) {
          await res.body?.cancel().catch(() => {});
          previous = undefined;
          return { problem: `${url} answered HTTP ${res.status}` };
        }
        text = await readLimited(res, PRESSURE_MAX_BYTES);
      } catch (e) {
        previous = undefined;
        if (e instanceof BodyTooLarge) return { problem: `${url} answered more than 1 MB: not a node_exporter page` };
        if (timeout.aborted) return { problem: `${url} did not answer within ${timeoutMs / 1000} s` };
        return { problem: `${url} cannot be read (${(e as Error).message})` };
      }
      const sample = parseNodePressure(text, wanted);
      if ("problem" in sample) {
        previous = undefined;
        return { problem: `${url} is not a node_exporter page with PSI: ${sample.problem}` };
      }
      const at = { ...sample, at: now() };
      const before = previous;
      previous = at;
      const figures = before ? shareBetween(before, at, wanted) : undefined;
      return figures ? { figures } : { warming: true };
    },
  };
}
