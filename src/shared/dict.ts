// Dictionaries keyed by names from outside: queue names that Immich reports
// or the configuration lists may be `constructor`, `__proto__` or `toString`
// (issue 16 item 4), which a plain object already "has" through its
// prototype. A dictionary made here has no prototype, and `own` reads only
// what was put in, from any object (a copy made by structuredClone or a
// spread has Object.prototype again).

/** An empty dictionary without a prototype, optionally filled from entries. */
export function dict<T>(entries?: Iterable<readonly [string, T]>): Record<string, T> {
  const d = Object.create(null) as Record<string, T>;
  if (entries) for (const [k, v] of entries) d[k] = v;
  return d;
}

/** `d[key]` if `d` itself holds `key`; never something inherited. */
export function own<T>(d: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return d !== undefined && Object.hasOwn(d, key) ? d[key] : undefined;
}
