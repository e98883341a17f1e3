// Regenerates the documentation's generated blocks from the code: the
// variables table (src/config/variables.ts) in docs/configuration.md and the
// five most-set ones in README.md, the exit codes (src/cli/exit-codes.ts), the
// metrics (src/status/metrics.ts) and the benchmark's headline figures
// (bench/results.json). test/readme.test.ts fails when a page is out of date.
//   bun scripts/readme.ts          # rewrite the blocks in place
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatedBlocks, replaceBlock, ROOT } from "./readme-blocks.ts";

for (const [file, blocks] of Object.entries(generatedBlocks())) {
  const path = join(ROOT, file);
  let text = readFileSync(path, "utf8");
  for (const [name, body] of Object.entries(blocks)) {
    try {
      text = replaceBlock(text, name, body);
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    }
  }
  writeFileSync(path, text);
  console.log(`${file}: ${Object.keys(blocks).join(", ")} regenerated`);
}
