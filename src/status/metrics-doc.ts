// The metrics table of docs/status-and-notifications.md, generated from what renderMetrics writes
// for an example snapshot (names, types, labels and help), so the page
// cannot list a metric the daemon does not serve or miss one it does.

import { renderMetrics } from "./metrics.ts";
import type { StatusSnapshot } from "./snapshot.ts";

const T = Date.UTC(2026, 10, 28, 12);

/** A snapshot with one of everything, so every family has a sample to show its labels. */
export const EXAMPLE_SNAPSHOT: StatusSnapshot = {
  version: "0.1.0",
  at: T,
  startedAt: T - 3_600_000,
  config: { immichUrl: "http://127.0.0.1:2283", maxConcurrent: 1, pollIntervalMs: 10_000, dryRun: false, managed: ["thumbnailGeneration"] },
  server: { version: "3.1.0", api: "queues" },
  health: { state: "ok", since: T - 3_600_000, failures: 0, lastBeatAt: T, staleAt: T + 40_000, ready: true },
  slots: { used: 1, max: 1 },
  queues: [{ name: "thumbnailGeneration", priority: 0, state: "running", active: 3, pending: 250, delayed: 0, isPaused: false, occupiesSlot: true, held: false, etaSeconds: 420 }],
  lastObservation: { at: T, api: "queues", queues: [{ name: "thumbnailGeneration", active: 3, completed: 0, failed: 0, delayed: 0, waiting: 250, paused: 0, isPaused: false }] },
  lastDecision: { at: T, actions: [], notices: [], occupiedBefore: 1, occupiedAfter: 1, queues: [{ name: "thumbnailGeneration", priority: 0, managed: true, occupiesSlot: true, hasWork: true, held: false, owner: "daemon" }] },
  lastSuccessAt: T,
  counters: {
    cycles: 360,
    actions: [{ kind: "resume", reason: "fill-slot", count: 4 }],
    apiErrors: [{ kind: "timeout", count: 1 }],
    cycleSeconds: { buckets: [{ le: 0.1, count: 360 }], sum: 5.4, count: 360 },
  },
  timeline: { from: T - 3_600_000, to: T, queues: [], marks: [] },
  windows: [{ queue: "smartSearch", window: "22:00-06:00", zone: "Europe/Berlin", open: false, nextChange: "Sat 22:00" }],
  gates: { ml: { up: true, since: T - 3_600_000, urls: ["http://immich-machine-learning:3003"] }, pressure: [] },
  control: { enabled: true, zone: "Europe/Berlin", configuredN: 1, state: { queues: { smartSearch: { at: T, by: "127.0.0.1", channel: "page", until: T + 3_600_000 } } } },
  etas: { overallSeconds: 420, unknown: [], estimated: [], waiting: [], queues: [{ name: "thumbnailGeneration", jobs: 253, ratePerSecond: 0.6, seconds: 420 }] },
  autoCap: {
    auto: true,
    tune: true,
    range: { min: 1, max: 4 },
    n: 1,
    target: { cpu: 40 },
    pressure: { cpu: 36.2 },
    source: "/proc/pressure",
    sourceLost: false,
    queues: [{ name: "thumbnailGeneration", concurrency: 1, owner: 3, leftAlone: false }],
    lastChange: { what: "concurrency", queue: "thumbnailGeneration", from: 2, to: 1, at: T - 60_000, direction: "down", reason: "thumbnailGeneration concurrency 2 → 1: cpu some 71 % above 40 % for 10 s" },
    strikes: 0,
    changes: 2,
    handsOff: false,
  },
};

export function metricsMarkdown(): string {
  const text = renderMetrics(EXAMPLE_SNAPSHOT);
  const rows: string[] = [];
  for (const m of text.matchAll(/^# HELP (\S+) (.*)\n# TYPE \S+ (\S+)\n(?:\S+?\{([^}]*)\})?/gm)) {
    const [, name, help, type, labels] = m;
    const keys = [...(labels ?? "").matchAll(/(\w+)="/g)].map((x) => x[1]).filter((k) => k !== "le");
    rows.push(`| \`${name}\` | ${type} | ${keys.length ? keys.map((k) => `\`${k}\``).join(", ") : "–"} | ${help!.replaceAll("|", "\\|")} |`);
  }
  return ["| metric | type | labels | meaning |", "|---|---|---|---|", ...rows].join("\n");
}
