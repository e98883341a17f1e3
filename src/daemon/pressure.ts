// The host's pressure stall information (DESIGN.md §2 rule 14), read from
// <root>/pressure/{cpu,memory,io} (root /proc; tests hand in a fake tree).
// Only meaningful on Immich's own host: a container sees the host's PSI, and
// a daemon on another machine would read its own. A kernel without PSI (no
// such files, or CONFIG_PSI off: reads fail) is said once at start and the
// setting ignored.

import { join } from "node:path";
import type { PressureFigures } from "../core/auto-cap.ts";
import type { PressureOver } from "../core/blockers.ts";
import type { PressureLimits, PressureResource } from "../core/pressure-syntax.ts";

export type ReadText = (path: string) => string;

/** `some avg10=1.23 avg60=… total=…` → 1.23; undefined if the line is not there. */
export function someAvg10(text: string): number | undefined {
  const m = /^some\s+avg10=(\d+(?:\.\d+)?)\b/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

export interface PressureSource {
  limits: PressureLimits;
  /** The figures over their limits now (empty: all under). Unreadable figures count as under. */
  over(): PressureOver[];
}

/**
 * The source, or why PSI cannot be read here (then the setting is ignored).
 * Every configured file is tried once up front.
 */
export function openPressure(limits: PressureLimits, root: string, readText: ReadText): PressureSource | { missing: string } {
  return openPressureDir(limits, join(root, "pressure"), readText);
}

/** openPressure over a directory of PSI files (PRESSURE_DIR; /proc/pressure by default). */
export function openPressureDir(limits: PressureLimits, dir: string, readText: ReadText): PressureSource | { missing: string } {
  const resources = Object.keys(limits) as PressureResource[];
  const path = (r: PressureResource) => join(dir, r);
  for (const r of resources) {
    let text: string;
    try {
      text = readText(path(r));
    } catch (e) {
      const code = (e as { code?: string }).code;
      return { missing: `${path(r)} cannot be read (${code ?? (e as Error).message})` };
    }
    if (someAvg10(text) === undefined) return { missing: `${path(r)} has no "some avg10=" line` };
  }
  return {
    limits,
    over() {
      const out: PressureOver[] = [];
      for (const r of resources) {
        let value: number | undefined;
        try {
          value = someAvg10(readText(path(r)));
        } catch {
          value = undefined;
        }
        const limit = limits[r]!;
        if (value !== undefined && value > limit) out.push({ resource: r, value, limit });
      }
      return out;
    },
  };
}

/**
 * One look at the pressure for rule 15 (and for MAX_PRESSURE when the source
 * is PRESSURE_URL): the figures, or why there are none (the source is lost:
 * the controller keeps the lower bounds), or nothing yet (a counter-based
 * source needs two looks).
 */
export type PressureLook = { figures: PressureFigures } | { problem: string } | { warming: true };

export interface PressureMeter {
  /** Where it reads, for the log. */
  source: string;
  read(signal?: AbortSignal): Promise<PressureLook>;
}

/** `some avg10=… total=12345` → 12345 (µs some task waited, since boot); undefined if the line is not there. */
export function someTotal(text: string): number | undefined {
  const m = /^some\s.*\btotal=(\d+)\b/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * The local PSI files for rule 15: per resource, the share of the time since
 * the previous look during which some task waited, from the `some total=`
 * counter (µs), as PRESSURE_URL's counters are read. Not PSI's own avg10: its
 * ten-second decay lags a change by tens of seconds, which made the
 * controller lower a queue that started after a busy one had finished (seen
 * against the modelled host). The first look only takes a reading.
 */
export function localMeter(dir: string, resources: readonly PressureResource[], readText: ReadText, now: () => number): PressureMeter {
  let previous: { at: number; totals: Partial<Record<PressureResource, number>> } | undefined;
  return {
    source: dir,
    async read() {
      const totals: Partial<Record<PressureResource, number>> = {};
      for (const r of resources) {
        let text: string;
        try {
          text = readText(join(dir, r));
        } catch (e) {
          previous = undefined;
          return { problem: `${join(dir, r)} cannot be read (${(e as { code?: string }).code ?? (e as Error).message})` };
        }
        const t = someTotal(text);
        if (t === undefined) {
          previous = undefined;
          return { problem: `${join(dir, r)} has no "some … total=" line` };
        }
        totals[r] = t;
      }
      const at = now();
      const before = previous;
      previous = { at, totals };
      if (!before || at <= before.at) return { warming: true };
      const figures: PressureFigures = {};
      for (const r of resources) {
        const d = totals[r]! - before.totals[r]!;
        if (d < 0) return { warming: true }; // a counter that went back: start afresh
        figures[r] = Math.min(100, (d / 1000 / (at - before.at)) * 100);
      }
      return { figures };
    },
  };
}

/** MAX_PRESSURE as a gate over any meter's figures: those above their limits. */
export function overLimits(figures: PressureFigures, limits: PressureLimits): PressureOver[] {
  const out: PressureOver[] = [];
  for (const [r, limit] of Object.entries(limits) as [PressureResource, number][]) {
    const value = figures[r];
    if (value !== undefined && value > limit) out.push({ resource: r, value, limit });
  }
  return out;
}
