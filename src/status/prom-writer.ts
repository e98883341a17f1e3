// A writer of the Prometheus text exposition format (version 0.0.4): HELP and
// TYPE lines, escaped label values, numbers as Prometheus reads them. Small
// on purpose: the metrics are rendered from a snapshot on each scrape, so a
// client library's registry, collectors and process metrics would add
// nothing but weight to the binary.

export type MetricType = "counter" | "gauge" | "histogram";

export interface Sample {
  /** Appended to the family name (histograms: "_bucket", "_sum", "_count"). */
  suffix?: string;
  labels?: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const escapeHelp = (s: string) => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const escapeLabel = (s: string) => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

export function writeFamilies(families: readonly Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    if (!NAME.test(f.name)) throw new Error(`bad metric name ${f.name}`);
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {});
      for (const [k] of labels) if (!LABEL.test(k) || k.startsWith("__")) throw new Error(`bad label name ${k}`);
      const l = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}` : "";
      out.push(`${f.name}${s.suffix ?? ""}${l} ${formatValue(s.value)}`);
    }
  }
  return out.join("\n") + "\n";
}
