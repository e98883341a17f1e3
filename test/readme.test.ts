// The README stays true: its generated tables match the code, and every
// command, variable and exit code the binary knows is documented.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { EXIT_CODE_DOCS } from "../src/cli/exit-codes.ts";
import { helpText } from "../src/cli/help.ts";
import { CONFIG_VARIABLES } from "../src/config/index.ts";
import { readBlock, readmeBlocks } from "../scripts/readme-blocks.ts";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

test("the generated blocks are current (run `bun scripts/readme.ts` after changing a variable or exit code)", () => {
  for (const [name, body] of Object.entries(readmeBlocks())) expect(readBlock(readme, name)).toBe(body);
});

test("every command of --help is in the README", () => {
  const commands = [...helpText().matchAll(/^  ([a-z-]+)\s{2,}/gm)].map((m) => m[1]!);
  expect(commands).toContain("healthcheck");
  for (const c of commands) expect(readme).toContain(`\`${c}`);
});

test("every variable and exit code is in the README and in --help", () => {
  for (const v of CONFIG_VARIABLES) {
    expect(readme).toContain(`\`${v.name}\``);
    expect(helpText()).toContain(v.name);
  }
  for (const [code] of EXIT_CODE_DOCS) expect(readme).toContain(`| ${code} |`);
});

test("the quick start is the one the issue asks for", () => {
  expect(readme).toContain("npm install && npm run demo");
  expect(readme).toContain("npm install && npm test");
});
