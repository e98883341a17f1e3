// The MAX_PRESSURE syntax: `cpu=70,memory=20` (any of cpu, memory, io, each
// once), levels in percent of the PSI `some avg10` figure: the share of the
// last ten seconds in which at least one task waited for that resource.

export const PRESSURE_RESOURCES = ["cpu", "memory", "io"] as const;
export type PressureResource = (typeof PRESSURE_RESOURCES)[number];
export type PressureLimits = Partial<Record<PressureResource, number>>;

export const PRESSURE_EXAMPLE = "cpu=70,memory=20";

export function parsePressure(text: string): { ok: true; limits: PressureLimits } | { ok: false; problems: string[] } {
  const limits: PressureLimits = {};
  const problems: string[] = [];
  const items = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 0) problems.push("names no resource");
  for (const item of items) {
    const m = /^([a-z]+)\s*=\s*(\S+)$/i.exec(item);
    if (!m) {
      problems.push(`${JSON.stringify(item)} is not resource=percent`);
      continue;
    }
    const resource = m[1]!.toLowerCase() as PressureResource;
    if (!PRESSURE_RESOURCES.includes(resource)) {
      problems.push(`${JSON.stringify(m[1])} is not a resource (cpu, memory or io)`);
      continue;
    }
    const n = /^\d+(\.\d+)?$/.test(m[2]!) ? Number(m[2]) : NaN;
    if (!(n > 0 && n <= 100)) {
      problems.push(`${JSON.stringify(m[2])} for ${resource} is not a percentage above 0 and at most 100`);
      continue;
    }
    if (limits[resource] !== undefined) problems.push(`${resource} is given more than once`);
    limits[resource] = n;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, limits };
}
