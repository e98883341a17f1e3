// README.ru.md is the whole README in Russian (the shell script's users read
// Russian first): it links to README.md and back, and names the same
// variables, commands, command blocks, install channels and pages as the
// English one, so a change to one that forgets the other fails here.

import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { helpText } from "../../src/cli/help.ts";
import { CONFIG_VARIABLES } from "../../src/config/index.ts";
import { ROOT } from "../e2e/helpers.ts";
import { guideBlocks } from "./guide-blocks.ts";

const en = readFileSync(join(ROOT, "README.md"), "utf8");
const ru = readFileSync(join(ROOT, "README.ru.md"), "utf8");

const variables = (text: string) => new Set(CONFIG_VARIABLES.map((v) => v.name).filter((n) => text.includes(`\`${n}\``)));
const COMMANDS = [...helpText().matchAll(/^  ([a-z-]+)\s{2,}/gm)].map((m) => m[1]!);
const commands = (text: string) => new Set(COMMANDS.filter((c) => new RegExp("`" + c + "[` ]").test(text)));
const links = (text: string) =>
  new Set([...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => l !== "README.md" && l !== "README.ru.md"));

/** The install section's channel headings. */
function channels(text: string, section: string): string[] {
  const body = text.split(`\n## ${section}\n`)[1]?.split("\n## ")[0] ?? "";
  return [...body.matchAll(/^### (.+)$/gm)].map((m) => m[1]!);
}

test("each links to the other at the top", () => {
  expect(en.split("\n").slice(0, 4).join("\n")).toContain("[Русский](README.ru.md)");
  expect(ru.split("\n").slice(0, 4).join("\n")).toContain("[English](README.md)");
});

test("it is Russian", () => {
  const cyrillic = (ru.match(/[а-яё]/gi) ?? []).length;
  const latin = (ru.replace(/```[\s\S]*?```|`[^`]*`|\]\([^)]*\)|<!--[\s\S]*?-->/g, "").match(/[a-z]/gi) ?? []).length;
  expect(cyrillic).toBeGreaterThan(3 * latin);
});

test("the same variables", () => {
  expect([...variables(ru)].sort()).toEqual([...variables(en)].sort());
  expect(variables(en).size).toBeGreaterThanOrEqual(5);
});

test("the same commands", () => {
  expect([...commands(ru)].sort()).toEqual([...commands(en)].sort());
  expect([...commands(en)].sort()).toEqual([...COMMANDS].sort());
});

test("the same command blocks, marked the same way, in the same order", () => {
  const blocks = (text: string) => guideBlocks(text).map((b) => ({ lang: b.lang, text: b.text, runBy: b.runBy, notRun: b.notRun }));
  expect(blocks(ru)).toEqual(blocks(en));
});

test("the same install channels, in the same order", () => {
  const EN = [/^Binary/, /^Docker/, /^systemd$/, /^Home Assistant$/, /^From source$/];
  const RU = [/^Бинарный файл/, /^Docker/, /^systemd$/, /^Home Assistant$/, /^Из исходников$/];
  const e = channels(en, "Install");
  const r = channels(ru, "Установка");
  expect(e.length).toBe(EN.length);
  expect(r.length).toBe(RU.length);
  e.forEach((h, i) => expect(h).toMatch(EN[i]!));
  r.forEach((h, i) => expect(h).toMatch(RU[i]!));
});

test("the same pages and images linked", () => {
  expect([...links(ru)].sort()).toEqual([...links(en)].sort());
});
