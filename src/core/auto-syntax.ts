// MAX_CONCURRENT_JOBS=auto (DESIGN.md §2 rule 15): `auto` is the range 1-4,
// `auto:MIN-MAX` another one. Pure, so the configuration, `--help` and the
// tests read the same words.

export interface AutoRange {
  min: number;
  max: number;
}

/** `auto` alone: one queue at a time at worst (the shell script's N), four at best (a 4-core NAS). */
export const DEFAULT_AUTO_RANGE: AutoRange = { min: 1, max: 4 };
/** The largest N a range may reach, as for a fixed MAX_CONCURRENT_JOBS. */
export const AUTO_MAX = 1000;

/** Whether the text asks for auto at all (then parseAuto says whether it is well formed). */
export const isAuto = (text: string): boolean => /^auto\b/i.test(text.trim());

export function parseAuto(text: string): { ok: true; range: AutoRange } | { ok: false; problem: string } {
  const t = text.trim().toLowerCase();
  if (t === "auto") return { ok: true, range: { ...DEFAULT_AUTO_RANGE } };
  const m = /^auto:(\d+)-(\d+)$/.exec(t);
  if (!m) return { ok: false, problem: `${JSON.stringify(text)} is not auto or auto:MIN-MAX (e.g. auto:1-3)` };
  const min = Number(m[1]);
  const max = Number(m[2]);
  if (min < 1) return { ok: false, problem: `the range's lower bound must be at least 1, not ${min}` };
  if (max > AUTO_MAX) return { ok: false, problem: `the range's upper bound must be at most ${AUTO_MAX}, not ${max}` };
  if (min > max) return { ok: false, problem: `the range ${min}-${max} is upside down; write auto:${max}-${min}` };
  return { ok: true, range: { min, max } };
}
