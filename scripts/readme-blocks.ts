// The README's generated blocks, shared by scripts/readme.ts and the test.
import { EXIT_CODE_DOCS } from "../src/cli/exit-codes.ts";
import { variablesMarkdown } from "../src/config/index.ts";
import { metricsMarkdown } from "../src/status/metrics-doc.ts";

export function readmeBlocks(): Record<string, string> {
  return {
    variables: variablesMarkdown(),
    metrics: metricsMarkdown(),
    "exit-codes": ["| code | meaning |", "|---|---|", ...EXIT_CODE_DOCS.map(([c, m]) => `| ${c} | ${m} |`)].join("\n"),
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
  if (!m) throw new Error(`README has no ${name} block`);
  const from = m.index + m[0].length;
  const to = text.indexOf(END(name), from);
  return text.slice(0, from) + body + "\n" + text.slice(to);
}
