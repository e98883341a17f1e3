// How the demo writes times and counts, shared by the live view, the plain
// log lines and the summary so that they all read the same.

/** Elapsed time as h:mm:ss (the simulated clock in the header and log lines). */
export function clockText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

/** A duration for people: "1h 52m 30s", "9m 05s", "42 s", "0.4 s". */
export function durationText(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m ${sec}s`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${s} s`;
}

/** 1234567 → "1,234,567" (fixed separator: output must not depend on the machine's locale). */
export function count(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? "" : "s"}`;
}
