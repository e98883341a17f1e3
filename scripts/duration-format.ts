// How the benchmark writes a duration ("41.3 s", "15.5 min", "2.40 h"):
// shared by its report (bench/report.ts) and the headline block this
// directory's readme-blocks.ts renders into docs/benchmark.md. Here, below
// both, so that the docs scripts need nothing of the benchmark's code
// (farm-studio: every import points down the layers).

const H = 3_600_000;

export type TimeUnit = "s" | "min" | "h";
export const UNIT_MS: Record<TimeUnit, number> = { s: 1_000, min: 60_000, h: H };

/** The unit a duration of this size reads best in. */
export function unitFor(ms: number): TimeUnit {
  const a = Math.abs(ms);
  return a < 100_000 ? "s" : a < 2 * H ? "min" : "h";
}

export function formatDuration(ms: number, unit: TimeUnit = unitFor(ms)): string {
  return `${(ms / UNIT_MS[unit]).toFixed(unit === "h" ? 2 : 1)} ${unit}`;
}
