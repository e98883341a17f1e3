// The demo's output when stdout is not a terminal (CI logs, pipes) or with
// --plain: no redrawing, one line per change instead: every daemon log line
// once, and a status line whenever the set of queues holding slots (or
// their state) changes. Pure: state in, lines and the next state out.

import { formatDuration } from "../core/eta.ts";
import { clockText, count } from "./format.ts";
import type { DemoView } from "./view-model.ts";

export interface PlainState {
  /** Highest log line printed. */
  seq: number;
  /** The slot holders last reported, as "name:state,...". */
  holders: string;
}

export const initialPlainState: PlainState = { seq: -1, holders: "" };

export function plainHeader(view: DemoView): string {
  return `immich-job-daemon demo: simulated Immich v${view.version} at ${view.url}, scenario ${view.scenario} (${view.workload}), speed ${view.speed}x, N = ${view.maxConcurrent}`;
}

/** The lines to print for this frame, and the state for the next one. */
export function plainLines(state: PlainState, view: DemoView): { lines: string[]; state: PlainState } {
  const lines: string[] = [];
  if (state.seq < 0) lines.push(plainHeader(view));
  const fresh = view.log.filter((l) => l.seq > state.seq);
  const first = fresh[0];
  if (first && state.seq >= 0 && first.seq > state.seq + 1) {
    lines.push(`${clockText(first.elapsedMs)} (${first.seq - state.seq - 1} log lines skipped: output could not keep up)`);
  }
  for (const l of fresh) lines.push(`${clockText(l.elapsedMs)} ${l.level === "info" ? "" : `${l.level.toUpperCase()} `}${l.msg}`);

  const holders = view.managed.filter((r) => r.occupiesSlot);
  const key = holders.map((r) => `${r.name}:${r.state}`).join(",");
  if (key !== state.holders) {
    const who = holders.length ? holders.map((r) => `${r.name} ${r.state} (${count(r.active)} active, ${count(r.pending)} pending)`).join(", ") : "none";
    const u = view.uploads;
    lines.push(
      `${clockText(view.elapsedMs)} slots ${view.slotsInUse}/${view.maxConcurrent}: ${who}` +
        (u.total > 0 ? ` | uploads ${count(u.thumbnailed)}/${count(u.total)} thumbnailed, ${count(u.done)} done` : "") +
        (view.etaMs === null ? "" : ` | work left ~${formatDuration(view.etaMs)}`),
    );
  }
  const last = view.log.at(-1);
  return { lines, state: { seq: Math.max(state.seq, last?.seq ?? 0), holders: key } };
}
