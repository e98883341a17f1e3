// Every import points down the layers (issue 18 item 7; DESIGN.md §4 "every
// import pointing down the layers"): a folder of src/ may import only from
// its own folder and from folders of a lower layer. Read from the sources'
// import lines, so a new upward import fails here with its file and line.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const SRC = join(import.meta.dir, "../src");
/** Lowest first. A folder imports only from its own layer's folder or lower ones. */
const LAYERS: Record<string, number> = {
  generated: 0,
  shared: 0,
  core: 1,
  immich: 2,
  config: 2,
  simulator: 3,
  daemon: 3,
  status: 4,
  notify: 5,
  demo: 6,
  cli: 7,
  ".": 8, // main.ts, main-signals.ts
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}
const folderOf = (file: string) => {
  const rel = relative(SRC, file);
  return rel.includes("/") ? rel.split("/")[0]! : ".";
};

test("no folder of src/ imports from a higher layer", () => {
  const upward: string[] = [];
  for (const file of files(SRC)) {
    const from = folderOf(file);
    // Generated code (scripts/gen-checks.ts) names the schemas it was compiled from, as types only.
    if (from === "generated") continue;
    expect(LAYERS[from]).toBeDefined();
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        const m = /^\s*(?:import|export)\b[^"']*from\s+["'](\.[^"']+)["']/.exec(line) ?? /\bimport\(\s*["'](\.[^"']+)["']\s*\)/.exec(line);
        if (!m) return;
        const target = join(file, "..", m[1]!);
        if (!target.startsWith(SRC)) return; // package.json: the version
        const to = folderOf(target);
        if (to !== from && LAYERS[to]! > LAYERS[from]!) upward.push(`${relative(SRC, file)}:${i + 1} imports ${relative(SRC, target)} (${from} → ${to})`);
      });
  }
  expect(upward).toEqual([]);
});
