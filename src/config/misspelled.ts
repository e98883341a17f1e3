// A variable the daemon does not read is ignored, which is right for the
// rest of the environment but silent for a typo: `MAX_CONCURENT_JOBS=3` ran
// with 1 (issue 7 item 6). A name close to one of ours (a letter or two
// off, another case, no underscores) or one of ours behind a prefix people
// add (`IMMICH_API_KEY`, `IJD_POLL_INTERVAL`), or one of ours cut short
// (`MIN_POLL`, `NOTIFY_OUTAGE`: issue 16 item 8), gets one warning naming the
// variable meant. Immich's own variables (a shared .env) are left alone.

/** Prefixes a user may have put before one of our names. */
const PREFIXES = ["IMMICH_JOB_DAEMON_", "IMMICH_JOBS_DAEMON_", "JOB_DAEMON_", "IJD_", "DAEMON_", "IMMICH_"];
/** Immich's own variables that look like ours behind the IMMICH_ prefix. */
const IMMICH_OWN = new Set(["IMMICH_LOG_LEVEL", "IMMICH_LOG_FORMAT", "IMMICH_HOST", "IMMICH_PORT"]);
/** A name cut short must keep this much to say which of ours it was (MAX, LOG, POLL say too little). */
const MIN_PREFIX = 5;
/** Other programs' variables a letter or two from ours. */
const OTHERS = new Set(["TMPDIR", "HOSTNAME"]);

/** One warning per environment variable that looks meant for one of `known`. */
export function misspelledVariables(env: Record<string, string | undefined>, known: readonly string[]): string[] {
  const knownSet = new Set(known);
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (knownSet.has(name) || IMMICH_OWN.has(name) || OTHERS.has(name) || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) continue;
    const meant = likelyMeant(name, known);
    if (meant !== undefined) {
      warnings.push(`${name} is not a variable the daemon reads, so it is ignored; did you mean ${meant}?`);
    }
  }
  return warnings;
}

/** The variable `name` (an environment variable, or a CONFIG_FILE key) was probably meant to be, if any. */
export function likelyMeant(name: string, known: readonly string[]): string | undefined {
  const upper = name.toUpperCase();
  const squashed = upper.replaceAll("_", "");
  // Another case, or the underscores left out.
  const same = known.find((k) => k === upper || k.replaceAll("_", "") === squashed);
  if (same !== undefined) return same;
  // One of ours cut short: the one it begins, or, when it begins several, the
  // shortest if the others only extend it (NOTIFY_TOKEN, NOTIFY_TOKEN_FILE),
  // else all of them.
  if (upper.length >= MIN_PREFIX) {
    const longer = known.filter((k) => k.length > upper.length && k.startsWith(upper));
    const shortest = longer.reduce<string | undefined>((a, k) => (a === undefined || k.length < a.length ? k : a), undefined);
    if (shortest !== undefined && longer.every((k) => k.startsWith(shortest))) return shortest;
    if (longer.length > 1) return `${longer.slice(0, -1).join(", ")} or ${longer.at(-1)}`;
  }
  // One of ours behind a prefix.
  for (const p of PREFIXES) {
    if (upper.startsWith(p) && upper.length > p.length) {
      const rest = upper.slice(p.length);
      const hit = known.find((k) => k === rest || (k.length >= 6 && distance(k, rest) <= 1));
      if (hit !== undefined) return hit;
    }
  }
  // A letter or two off: 1 for short names, 2 from 8 characters on.
  if (upper.length < 5) return undefined;
  let best: { name: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(k, upper);
    const limit = k.length >= 8 ? 2 : 1;
    if (d <= limit && (best === undefined || d < best.d)) best = { name: k, d };
  }
  return best?.name;
}

/** Edit distance with transpositions (optimal string alignment): "CONCURENT" is 1 from "CONCURRENT", "POLL_ITNERVAL" 1 from "POLL_INTERVAL". */
export function distance(a: string, b: string): number {
  // Beyond any limit used here: most of an environment (PATH, HOME, LANG...)
  // is told apart by these two bounds, without the table below.
  if (Math.abs(a.length - b.length) > 2 || bagDistance(a, b) > 2) return 3;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Per character code, how many more times it is in one name than in the other (bagDistance's scratch space). */
const excess = new Int16Array(65_536);

/**
 * A lower bound of distance(): the characters one name has and the other
 * lacks, the larger count of the two sides. One edit changes each side by at
 * most one, a transposition not at all.
 */
function bagDistance(a: string, b: string): number {
  for (let i = 0; i < a.length; i++) excess[a.charCodeAt(i)]!++;
  for (let i = 0; i < b.length; i++) excess[b.charCodeAt(i)]!--;
  let more = 0;
  let fewer = 0;
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    if (excess[c]! > 0) more += excess[c]!;
    else if (excess[c]! < 0) fewer -= excess[c]!;
    excess[c] = 0;
  }
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    if (excess[c]! < 0) fewer -= excess[c]!;
    excess[c] = 0;
  }
  return Math.max(more, fewer);
}
