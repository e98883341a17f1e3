// The documentation's generated blocks, shared by scripts/readme.ts (which
// writes them), bench/run.ts (which writes the benchmark's) and
// test/readme.test.ts (which fails when a page has drifted from the code).
// Each block sits between `<!-- NAME:start ... -->` and `<!-- NAME:end -->`
// in one file; everything else on those pages is written by hand.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderHeadline } from "./bench-headline.ts";
import { EXIT_CODE_DOCS } from "../src/cli/exit-codes.ts";
import { CONFIG_VARIABLES, variablesMarkdown } from "../src/config/index.ts";
import { metricsMarkdown } from "../src/status/metrics-doc.ts";

export const ROOT = join(import.meta.dir, "..");

/** The variables most people set, shown in the README (the rest are in docs/configuration.md). */
export const KEY_VARIABLES = ["IMMICH_URL", "API_KEY", "MAX_CONCURRENT_JOBS", "WINDOWS", "STATUS_ADDR"] as const;

function keyVariables(): string {
  const cell = (s: string) => s.replaceAll("|", "\\|");
  const rows = KEY_VARIABLES.map((name) => {
    const v = CONFIG_VARIABLES.find((x) => x.name === name);
    if (!v) throw new Error(`KEY_VARIABLES names ${name}, which src/config/variables.ts does not have`);
    return `| \`${v.name}\` | ${cell(v.default)} | ${cell(v.meaning)} |`;
  });
  return ["| variable | default | meaning |", "|---|---|---|", ...rows].join("\n");
}

export function exitCodesMarkdown(): string {
  return ["| code | meaning |", "|---|---|", ...EXIT_CODE_DOCS.map(([c, m]) => `| ${c} | ${m} |`)].join("\n");
}

/** The benchmark's headline block, from the last full run's bench/results.json. */
export function benchHeadline(): string {
  return renderHeadline(JSON.parse(readFileSync(join(ROOT, "bench/results.json"), "utf8")));
}

/** Every generated block: file (relative to the repository) -> block name -> body. */
export function generatedBlocks(): Record<string, Record<string, string>> {
  return {
    "README.md": { "key-variables": keyVariables() },
    "docs/configuration.md": { variables: variablesMarkdown(), "exit-codes": exitCodesMarkdown() },
    "docs/status-and-notifications.md": { metrics: metricsMarkdown() },
    "docs/benchmark.md": { "bench-headline": benchHeadline() },
  };
}

const START = (name: string) => new RegExp(`<!-- ${name}:start[^>]*-->\\n`);
const END = (name: string) => `<!-- ${name}:end -->`;

/** The text between a block's markers. */
export function readBlock(text: string, name: string): string | undefined {
  const m = START(name).exec(text);
  if (!m) return undefined;
  const from = m.index + m[0].length;
  const to = text.indexOf(END(name), from);
  return to < 0 ? undefined : text.slice(from, to).trimEnd();
}

export function replaceBlock(text: string, name: string, body: string): string {
  const m = START(name).exec(text);
  if (!m) throw new Error(`no ${name} block`);
  const from = m.index + m[0].length;
  const to = text.indexOf(END(name), from);
  if (to < 0) throw new Error(`the ${name} block has no end marker`);
  return text.slice(0, from) + body + "\n" + text.slice(to);
}
