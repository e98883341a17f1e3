// `demo --scenario nightly` shows a time window closing (DESIGN.md §2 rule
// 6): the ml queues get a window that opens at the demo's start and closes
// a few simulated minutes later, while the night's library scan still has
// machine-learning work for them. In UTC, so the demo reads the same on
// every machine.

import { parseWindows } from "../core/window-syntax.ts";
import type { Schedule } from "../core/windows.ts";

/** Simulated minutes the ml window stays open after the demo starts. */
export const DEMO_WINDOW_MINUTES = 6;

const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);

/** The WINDOWS text and its schedule for a demo starting at `start`. */
export function demoWindow(start: number, managed: readonly string[]): { text: string; schedule: Schedule } {
  const open = Math.floor(start / 60_000) * 60_000;
  const text = `ml=${hhmm(open)}-${hhmm(open + DEMO_WINDOW_MINUTES * 60_000)}`;
  const parsed = parseWindows(text, managed);
  if (!parsed.ok) throw new Error(`demo window ${text}: ${parsed.problems.join("; ")}`);
  return { text, schedule: { zone: "UTC", windows: parsed.windows } };
}
