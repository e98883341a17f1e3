// The live view and the closing summary as text: pure functions of the view
// model (view-model.ts) and the summary (summary.ts), so what the terminal
// shows is tested as strings. Lines never exceed the terminal's width and the
// frame never its height: the redraw moves the cursor up by the frame's line
// count, which a wrapped or scrolled line would throw off.

import { formatDuration } from "../core/eta.ts";
import { fit, pad, type Paint, paint } from "./ansi.ts";
import { clockText, count, durationText, plural } from "./format.ts";
import type { DemoSummary } from "./summary.ts";
import type { DemoView, ManagedRow, OtherRow, QueueState } from "./view-model.ts";

export interface Style {
  color: boolean;
  /** Terminal columns and rows. */
  width: number;
  height: number;
}

const STATE_PAINT: Record<QueueState, Paint | Paint[]> = {
  running: ["green", "bold"],
  draining: "yellow",
  paused: "dim",
  held: ["magenta", "bold"],
};

/** Log lines shown under the queues when the terminal is tall enough. */
const LOG_LINES = 6;
/** Cells of the progress bar: small, so the reasons keep room in 100 columns. */
const BAR = 6;

/** Done out of total as a small bar; blank when the queue has had no work. */
function bar(done: number, total: number, color: boolean): string {
  if (total <= 0) return " ".repeat(BAR);
  const filled = Math.round((done / total) * BAR);
  return paint(color, "green", "█".repeat(filled)) + paint(color, "dim", "░".repeat(BAR - filled));
}

/** The slot gauge: one mark per slot, filled for each in use. */
function slots(used: number, n: number, color: boolean): string {
  const marks =
    n <= 12
      ? paint(color, used > n ? "red" : "cyan", "●".repeat(Math.min(used, n))) + paint(color, "dim", "○".repeat(Math.max(0, n - used))) + " "
      : "";
  return `${marks}${used}/${n}`;
}

function decisionText(row: ManagedRow, color: boolean): string {
  // A paused queue that has work since its last command is waiting its turn:
  // say so first, or "paused: no work left" beside 1,030 pending jobs reads wrong.
  const waits = row.state === "paused" && row.pending > 0 ? paint(color, "cyan", "waiting for a slot") + paint(color, "dim", " · last: ") : "";
  const a = row.action;
  if (!a) return waits + paint(color, "dim", "no command yet");
  const verb = paint(color, a.kind === "pause" ? "yellow" : "green", a.kind === "pause" ? "paused" : "resumed");
  return `${waits}${verb} ${paint(color, "dim", clockText(a.elapsedMs))} ${a.detail}`;
}

/** The queues the daemon leaves alone, on one line: busy ones with counts, idle ones by name. */
function othersText(others: readonly OtherRow[], color: boolean): string {
  const busy = others.filter((q) => q.active + q.pending > 0);
  const idle = others.filter((q) => q.active + q.pending === 0);
  const name = (q: OtherRow) => q.name + (q.isPaused ? paint(color, "yellow", " (paused)") : "");
  const parts = [
    ...busy.map((q) => `${name(q)} ${paint(color, "cyan", `${count(q.active)} active, ${count(q.pending)} pending`)}`),
    ...(idle.length ? [`${paint(color, "dim", "idle:")} ${idle.map(name).join(", ")}`] : []),
  ];
  return `${paint(color, "dim", "left alone (not managed):")} ${parts.join(paint(color, "dim", " · "))}`;
}

function logText(line: DemoView["log"][number], color: boolean): string {
  const msg = line.level === "warn" || line.level === "error" ? paint(color, line.level === "warn" ? "yellow" : "red", line.msg) : line.msg;
  return `  ${paint(color, "dim", clockText(line.elapsedMs))} ${msg}`;
}

/** The whole live frame, lines joined by "\n" (no trailing newline). */
export function renderFrame(view: DemoView, style: Style): string {
  const c = style.color;
  const nameW = Math.max(5, ...view.managed.map((r) => r.name.length));
  const daemon = view.daemon === "ok" ? paint(c, "green", "ok") : paint(c, view.daemon === "degraded" ? "red" : "yellow", view.daemon);
  const u = view.uploads;
  const uploads = u.total > 0 ? ` · uploads ${count(u.thumbnailed)}/${count(u.total)} thumbnailed, ${count(u.done)} done` : "";
  const left = view.etaMs === null ? "" : ` · work left ~${formatDuration(view.etaMs)}`;
  const head = [
    // Most important first: a narrow terminal cuts the end of a line.
    `${paint(c, "bold", "immich-job-daemon demo")} · ${view.scenario}: ${view.workload} · simulated Immich v${view.version} at ${view.url}`,
    `sim time ${paint(c, "bold", clockText(view.elapsedMs))} (${view.speed}×) · N = ${view.maxConcurrent} · slots ${slots(view.slotsInUse, view.maxConcurrent, c)}${uploads}${left} · daemon ${daemon}`,
    "",
    paint(c, "dim", `${"#".padStart(2)}  ${pad("queue", nameW)}  ${pad("state", 8)}  ${pad("active", 6, true)}  ${pad("pending", 7, true)}  ${pad("done", BAR)}  ${pad("eta", 10)}  latest decision and why`),
  ];
  const rows = view.managed.map((r) =>
    [
      String(r.rank).padStart(2),
      paint(c, r.occupiesSlot ? "bold" : [], pad(r.name, nameW)),
      paint(c, STATE_PAINT[r.state], pad(r.state, 8)),
      pad(count(r.active), 6, true),
      pad(count(r.pending), 7, true),
      bar(r.completed, r.completed + r.active + r.pending, c),
      pad(r.etaMs === undefined ? "" : r.etaMs === null ? "measuring" : `~${formatDuration(r.etaMs)}`, 10),
      decisionText(r, c),
    ].join("  "),
  );

  const fixed = [...head, ...rows, othersText(view.others, c)];
  // Fit the terminal: the log gets the room left (its title and at least one line, or nothing).
  const room = style.height - 1 - fixed.length - 2;
  const logCount = Math.min(LOG_LINES, view.log.length, Math.max(0, room));
  const tail = logCount > 0 ? ["", paint(c, "dim", "daemon log (latest)"), ...view.log.slice(-logCount).map((l) => logText(l, c))] : [];
  const lines = [...fixed, ...tail].slice(0, Math.max(1, style.height - 1));
  return lines.map((l) => fit(l, style.width - 1)).join("\n");
}

const OUTCOME: Record<DemoSummary["outcome"], string> = {
  finished: "finished",
  "time-limit": "stopped at the time limit",
  interrupted: "stopped (Ctrl-C)",
  failed: "failed",
};

/** The closing summary, lines joined by "\n" (no trailing newline). Not redrawn, so not cut to width. */
export function renderSummary(s: DemoSummary, style: Pick<Style, "color">): string {
  const c = style.color;
  const label = (t: string) => paint(c, "bold", t.padEnd(19));
  const within = s.maxActive <= s.maxConcurrent;
  const u = s.uploads;
  const lines = [paint(c, "bold", `Summary: ${s.scenario} ${OUTCOME[s.outcome]}${s.limitS !== undefined ? ` (--duration ${s.limitS})` : ""}`)];
  if (s.error) lines.push(`${label("error")}${paint(c, "red", s.error)}`);
  if (u.total > 0) lines.push(`${label("uploads")}${count(u.done)} of ${count(u.total)} fully processed`);
  lines.push(
    // Finished: from the first upload to the last job's end; otherwise up to the stop.
    `${label("simulated time")}${durationText(s.simMs)}${s.outcome === "finished" ? " from start to the last job" : ""}, shown in ${durationText(s.realMs)} (${s.speed}×)`,
    `${label("most at once")}${paint(c, within ? "green" : "red", String(s.maxActive))} managed queue${s.maxActive === 1 ? "" : "s"} active together, N = ${s.maxConcurrent}: ` +
      (within ? paint(c, "green", "✓ never over the cap") : paint(c, "red", "✗ over the cap")),
  );
  const t = s.thumbnail;
  if (t.count > 0 && t.p50 !== undefined && t.p95 !== undefined) {
    lines.push(`${label("time to thumbnail")}p50 ${durationText(t.p50)} · p95 ${durationText(t.p95)} (${plural(t.count, "upload")})`);
  }
  lines.push(
    `${label("daemon commands")}${plural(s.pauses, "pause")}, ${plural(s.resumes, "resume")}` +
      (s.exitResumes > 0 ? `; on exit it resumed the ${plural(s.exitResumes, "queue")} it had paused` : ""),
    "",
    "Run it against your own Immich (an admin API key with queue.read and queue.update,",
    "or job.read and job.create before Immich 2.4):",
    `  ${paint(c, "cyan", `IMMICH_URL=http://<your-immich>:2283 API_KEY=<key> MAX_CONCURRENT_JOBS=${s.maxConcurrent} npm start`)}`,
  );
  return lines.join("\n");
}
