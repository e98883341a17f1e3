// `status`: every queue the server reports, its counts, whether the daemon
// manages it, its priority, who owns its state, and what the daemon would do
// now. Built from the same Decision object the loop acts on. The table is
// for a terminal: every cell and line is escaped (shared/escape.ts), since
// queue names and details come from the server.

import { occupiesSlot } from "../core/decide.ts";
import type { Gates } from "../core/blockers.ts";
import type { WindowState } from "../core/windows.ts";
import type { Decision, Observation } from "../core/types.ts";
import { type Eta, formatDuration, formatOverall } from "../core/eta.ts";
import { formatVersion, type Version } from "../immich/index.ts";
import { VERSION } from "../shared/version.ts";
import { escapeControls } from "../shared/escape.ts";
import { waitReasons } from "../core/wait-reasons.ts";
import { type ControlState, describeAsked } from "../core/control.ts";
import { formatUntil } from "../core/control-commands.ts";

export interface StatusInput {
  url: string;
  version: Version;
  api: "queues" | "jobs";
  maxConcurrent: number;
  observation: Observation;
  decision: Decision;
  /** What the daemon looked at beyond the API (windows, ML gate, pressure). */
  gates?: Gates;
  /** Time to empty from the drain rates a running daemon measured (its heartbeat); absent when none runs. */
  eta?: Eta & { fromPid: number };
  /** Rule 15: the range of N (MAX_CONCURRENT_JOBS=auto), the running daemon's N and last change, and the tuned queues' concurrency against the owner's (the state file). */
  /** Rule 16: the owner's instructions in force, from the state file (the running daemon keeps them there). */
  control?: { state: ControlState; zone: string };
  autoCap?: {
    range?: { min: number; max: number };
    target: Record<string, number>;
    /** From the running daemon's heartbeat. */
    running?: { n: number; lastChange?: { at: number; reason: string } };
    /** From the state file: the daemon's values against the owner's. */
    tuning?: { queue: string; concurrency: number; owner: number }[];
  };
}

export function statusJson(s: StatusInput) {
  const byQueue = new Map(s.decision.actions.map((a) => [a.queue, a]));
  const views = new Map(s.decision.queues.map((v) => [v.name, v]));
  const windows = new Map((s.gates?.windows ?? []).map((w) => [w.queue, w]));
  const etas = new Map((s.eta?.queues ?? []).map((q) => [q.name, q]));
  const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : Math.round(ms / 1000));
  const waits = waitReasons(s.observation, s.decision, s.maxConcurrent);
  return {
    url: s.url,
    // The Immich server's version; the daemon's own is daemonVersion (added after it, so `version` kept its meaning).
    version: formatVersion(s.version),
    daemonVersion: VERSION,
    api: s.api,
    maxConcurrent: s.maxConcurrent,
    slotsInUse: s.decision.occupiedBefore,
    ...(s.autoCap ? { autoCap: s.autoCap } : {}),
    ...(s.control ? { control: s.control.state } : {}),
    ...(s.gates?.ml || s.gates?.pressure ? { gates: { ...(s.gates.ml ? { ml: s.gates.ml } : {}), ...(s.gates.pressure ? { pressure: s.gates.pressure } : {}) } } : {}),
    // Null without a running daemon: the rates are measured by its loop, not by one look.
    eta: s.eta
      ? {
          seconds: seconds(s.eta.overallMs),
          unmeasured: s.eta.unknown,
          estimated: s.eta.estimated,
          waiting: s.eta.waiting,
          ratesFromPid: s.eta.fromPid,
        }
      : null,
    queues: s.observation.queues.map((q) => {
      const v = views.get(q.name)!;
      const a = byQueue.get(q.name);
      return {
        name: q.name,
        managed: v.managed,
        priority: v.priority === undefined ? null : v.priority + 1,
        isPaused: q.isPaused,
        active: q.active,
        waiting: q.waiting,
        paused: q.paused,
        delayed: q.delayed,
        failed: q.failed,
        // As observed now (the decision's views hold the state after its actions).
        occupiesSlot: v.managed && !v.passThrough && occupiesSlot(q),
        // Its jobs are skipped by the server (the storage template off): it takes no slot (core/pass-through.ts).
        passThrough: v.passThrough === true,
        owner: v.owner,
        held: v.held,
        wouldDo: a ? { action: a.kind, reason: a.reason, detail: a.detail } : null,
        window: windowJson(windows.get(q.name)),
        blocks: v.blocks ?? [],
        // Seconds to empty at the measured rate (null: no running daemon, or not measured yet).
        etaSeconds: seconds(etas.get(q.name)?.ms),
        ratePerSecond: etas.get(q.name)?.ratePerSecond ?? null,
        // The time comes from the usual cost of this queue's jobs (core/eta-priors.ts), not its measured rate yet.
        etaEstimated: etas.get(q.name)?.estimated === true,
        /** Why it is paused with work waiting, when nothing resumes it now. */
        waits: waits.get(q.name)?.text ?? null,
      };
    }),
  };
}

const windowJson = (w: WindowState | undefined) =>
  w ? { window: w.window, zone: w.zone, open: w.open, nextChangeAt: w.nextChangeAt ?? null, nextChange: w.nextChange ?? null } : null;

export function statusTable(s: StatusInput): string {
  const j = statusJson(s);
  // Managed queues in priority order first, then the rest in the server's order.
  const rows = [...j.queues].sort((a, b) => (a.priority ?? 1e9) - (b.priority ?? 1e9));
  // The WINDOW column only when WINDOWS is set: "open until Sat 06:00 (22:00-06:00)".
  const hasWindows = rows.some((q) => q.window);
  const windowCell = (w: (typeof rows)[number]["window"]) =>
    w ? `${w.open ? "open" : "closed"}${w.nextChange ? ` until ${w.nextChange}` : ""} (${w.window})` : "-";
  const header = ["QUEUE", "PRI", "STATE", "ACTIVE", "WAITING", "PAUSED", "DELAYED", "SLOT", "OWNER", "WOULD", ...(hasWindows ? ["WINDOW"] : []), ...(s.eta ? ["ETA"] : [])];
  const table = rows.map((q) => [
    q.name,
    q.priority === null ? "-" : String(q.priority),
    q.isPaused ? "paused" : "running",
    String(q.active),
    String(q.waiting),
    String(q.paused),
    String(q.delayed),
    q.occupiesSlot ? "yes" : q.passThrough ? "through" : "-",
    !q.managed ? "unmanaged" : q.held ? "held" : q.owner === "other" ? "other" : "daemon",
    q.wouldDo ? `${q.wouldDo.action} (${q.wouldDo.reason})` : "-",
    ...(hasWindows ? [windowCell(q.window)] : []),
    ...(s.eta ? [q.etaSeconds === null ? "-" : `~${formatDuration(q.etaSeconds * 1000)}${q.etaEstimated ? " (est.)" : ""}`] : []),
  ].map(escapeControls));
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const numeric = new Set([1, 3, 4, 5, 6]);
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  const title = [
    `Immich v${j.version} at ${j.url} (/api/${j.api}): ${j.slotsInUse} of ${j.maxConcurrent} slot${j.maxConcurrent === 1 ? "" : "s"} in use`,
  ];
  const reasons = s.decision.actions.map((a) => `  would ${a.kind} ${a.queue}: ${a.detail}`);
  const waiting = rows.flatMap((q) => (q.waits ? [`  ${q.name} waits: ${q.waits}`] : []));
  const zone = s.gates?.windows?.[0]?.zone;
  if (zone) title.push(`windows on ${zone}'s clock`);
  const ml = s.gates?.ml;
  if (ml) title.push(`machine-learning service ${ml.up ? "answers" : "does not answer (ml queues held back)"} at ${ml.urls.join(", ")}`);
  const over = s.gates?.pressure;
  if (over) {
    title.push(over.length === 0 ? "host pressure under MAX_PRESSURE" : `host under pressure (${over.map((p) => `${p.resource} ${p.value.toFixed(1)} % > ${p.limit} %`).join(", ")}): nothing new starts`);
  }
  const auto = s.autoCap;
  if (auto?.range) title.push(`N ${auto.running ? `${auto.running.n} now, ` : ""}auto between ${auto.range.min} and ${auto.range.max}, target ${Object.entries(auto.target).map(([r, v]) => `${r} ${v} %`).join(", ")}`);
  const autoLines = auto
    ? [
        ...(auto.running?.lastChange ? [`  last change (${formatDuration(Math.max(0, s.observation.at - auto.running.lastChange.at))} ago): ${auto.running.lastChange.reason}`] : []),
        ...(auto.tuning && auto.tuning.length > 0
          ? [`  job concurrency lowered by the daemon (put back on exit, or by resume-all): ${auto.tuning.map((t) => `${t.queue} ${t.concurrency} (owner's ${t.owner})`).join(", ")}`]
          : []),
        ...(auto.running || auto.range ? [] : ["  N: needs a running daemon to say where it is now"]),
      ]
    : [];
  const controlLines = s.control ? ownerLines(s.control.state, s.control.zone) : [];
  const eta = s.eta
    ? `  all pending work: ${s.eta.overallMs === null ? "no rate measured yet" : formatOverall(s.eta)}` +
      `${s.eta.unknown.length && s.eta.overallMs !== null ? ` (not counting ${s.eta.unknown.join(", ")}, not measured yet)` : ""}` +
      `${s.eta.estimated.length ? ` (${s.eta.estimated.join(", ")} from the usual cost of ${s.eta.estimated.length === 1 ? "its" : "their"} jobs until measured)` : ""}` +
      `${s.eta.waiting.length ? ` (not counting ${s.eta.waiting.join(", ")}, which ${s.eta.waiting.length === 1 ? "waits" : "wait"} as said above)` : ""}` +
      `; drain rates measured by the running daemon (pid ${s.eta.fromPid})`
    : "  ETA: needs a running daemon (its heartbeat file, HEALTH_FILE, carries the drain rates it measures)";
  return [
    title.join("; "),
    "",
    line(header),
    ...table.map(line),
    ...(autoLines.length ? ["", ...autoLines] : []),
    ...(controlLines.length ? ["", ...controlLines] : []),
    ...(waiting.length ? ["", ...waiting] : []),
    "",
    eta,
    ...(reasons.length ? ["", ...reasons] : ["", "  nothing to do now"]),
  ]
    .map(escapeControls)
    .join("\n");
}

/** The owner's instructions in force (rule 16), one line each, with who asked and until when. */
function ownerLines(c: ControlState, zone: string): string[] {
  const until = (t: number) => formatUntil(t, zone);
  const lines: string[] = [];
  if (c.handsOff) lines.push(`  the daemon is not managing the queues (resume-all ${describeAsked(c.handsOff)}): \`release\` hands them back`);
  if (c.all) lines.push(`  every managed queue is held ${describeAsked(c.all, until(c.all.until))}`);
  for (const [queue, h] of Object.entries(c.queues ?? {})) lines.push(`  ${queue} is held ${describeAsked(h, until(h.until))}`);
  if (c.n) lines.push(`  N is ${c.n.n} ${describeAsked(c.n, until(c.n.until))}, then MAX_CONCURRENT_JOBS again`);
  for (const m of c.missing ?? []) lines.push(`  ${m.queue}: its missing jobs are to be queued once it has no active job (${describeAsked(m)})`);
  return lines.length ? ["  the owner's instructions (release, or the page, ends them):", ...lines] : [];
}
