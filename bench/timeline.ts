// A run's timeline as an SVG picture: one row per managed queue, a bar where
// it had active jobs, and a mark for each pause (▼, red) and resume (▲,
// green) the controller sent. Pure: a recording in, a string out; run.ts
// writes the files beside bench/results.md and docs/benchmark.md shows them.

import type { Recording } from "../src/simulator/engine-types.ts";

export interface TimelineOptions {
  title: string;
  /** Queues shown, top to bottom (the managed ones, in priority order). */
  queues: readonly string[];
  /** The window shown, in the recording's time (ms since epoch). */
  from: number;
  to: number;
  /** Whose pause/resume commands are marked (the simulator labels them "seed" or "daemon"). */
  actor?: string;
}

const ROW = 18;
const LEFT = 170;
const WIDTH = 900;
const TOP = 34;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Tick spacing that gives 5–12 ticks over `span` ms. */
function tickStep(span: number): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 14_400, 21_600, 43_200, 86_400].map((s) => s * 1000);
  return steps.find((s) => span / s <= 12) ?? 86_400_000;
}

function label(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3_600) return s % 60 ? `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")} min` : `${s / 60} min`;
  return `${(s / 3_600).toFixed(s % 3_600 ? 1 : 0)} h`;
}

export function timelineSvg(rec: Recording, o: TimelineOptions): string {
  const span = Math.max(1, o.to - o.from);
  const plot = WIDTH - LEFT - 10;
  const x = (t: number) => LEFT + (Math.min(Math.max(t, o.from), o.to) - o.from) * (plot / span);
  const height = TOP + o.queues.length * ROW + 30;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="16" font-size="13" font-weight="bold">${esc(o.title)}</text>`,
  ];
  o.queues.forEach((q, i) => {
    const y = TOP + i * ROW;
    out.push(`<text x="${LEFT - 6}" y="${y + 12}" text-anchor="end">${esc(q)}</text>`);
    out.push(`<line x1="${LEFT}" y1="${y + ROW - 1}" x2="${WIDTH - 10}" y2="${y + ROW - 1}" stroke="#eee"/>`);
  });
  const row = new Map(o.queues.map((q, i) => [q, TOP + i * ROW]));
  for (const a of rec.activeIntervals) {
    const y = row.get(a.queue);
    const end = a.to ?? rec.now;
    if (y === undefined || end < o.from || a.from > o.to) continue;
    const w = Math.max(1, x(end) - x(a.from));
    out.push(`<rect x="${x(a.from).toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 7}" fill="#4a7fc1"/>`);
  }
  for (const c of rec.pauseChanges) {
    const y = row.get(c.queue);
    if (y === undefined || c.at < o.from || c.at > o.to || (o.actor && c.actor !== o.actor)) continue;
    const cx = x(c.at);
    const path = c.paused
      ? `M${(cx - 4).toFixed(1)},${y + 1} L${(cx + 4).toFixed(1)},${y + 1} L${cx.toFixed(1)},${y + 8} Z`
      : `M${(cx - 4).toFixed(1)},${y + ROW - 2} L${(cx + 4).toFixed(1)},${y + ROW - 2} L${cx.toFixed(1)},${y + ROW - 9} Z`;
    out.push(`<path d="${path}" fill="${c.paused ? "#c0392b" : "#27ae60"}"/>`);
  }
  const axisY = TOP + o.queues.length * ROW + 4;
  const step = tickStep(span);
  for (let t = 0; t <= span; t += step) {
    out.push(`<line x1="${x(o.from + t).toFixed(1)}" y1="${TOP}" x2="${x(o.from + t).toFixed(1)}" y2="${axisY}" stroke="#ccc" stroke-dasharray="2,2"/>`);
    out.push(`<text x="${x(o.from + t).toFixed(1)}" y="${axisY + 12}" text-anchor="middle" fill="#555">${label(t)}</text>`);
  }
  out.push(
    `<text x="${WIDTH - 10}" y="16" text-anchor="end" fill="#555">bar: active jobs · <tspan fill="#c0392b">▼ pause</tspan> · <tspan fill="#27ae60">▲ resume</tspan></text>`,
    "</svg>",
  );
  return out.join("\n") + "\n";
}
