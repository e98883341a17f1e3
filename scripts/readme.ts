// Regenerates the README's generated blocks from the code: the variables
// table (src/config/variables.ts) and the exit codes (src/cli/exit-codes.ts).
// test/readme.test.ts fails when the README is out of date.
//   bun scripts/readme.ts          # rewrite README.md
import { readFileSync, writeFileSync } from "node:fs";
import { readmeBlocks, replaceBlock } from "./readme-blocks.ts";

const path = new URL("../README.md", import.meta.url).pathname;
let text = readFileSync(path, "utf8");
for (const [name, body] of Object.entries(readmeBlocks())) text = replaceBlock(text, name, body);
writeFileSync(path, text);
console.log("README.md blocks regenerated");
