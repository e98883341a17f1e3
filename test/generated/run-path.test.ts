// TypeBox is off the happy path of `run` (issue 6, idle memory): bundled as the
// binary is (bun build --splitting), no chunk that src/main.ts or the `run`
// command's module loads at start holds any of @sinclair/typebox. It is
// reached only through a dynamic import() (src/immich/schemas.ts, to explain
// an invalid answer) or a require() (src/config/explain.ts, to explain an
// invalid configuration): with --splitting and --target bun, Bun emits a
// require()'d ESM file as its own chunk, loaded at the call.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The modules whose start must not load TypeBox: the entry, and `run` (which src/cli/app.ts may load lazily). */
const ENTRIES = ["src/main.ts", "src/cli/run-command.ts"];
/** Import kinds that load a chunk only when the code gets there. */
const LAZY = new Set(["dynamic-import", "require-call"]);

interface Metafile {
  outputs: Record<string, { entryPoint?: string; inputs: Record<string, unknown>; imports: { path: string; kind: string }[] }>;
}

const dir = mkdtempSync(join(tmpdir(), "run-path-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(): Metafile {
  const root = join(import.meta.dir, "../..");
  const args = ["build", ...ENTRIES, "--target=bun", "--splitting", "--outdir", dir, `--metafile=${join(dir, "meta.json")}`];
  const proc = Bun.spawnSync([process.execPath, ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`bun build failed: ${proc.stderr.toString()}`);
  return JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")) as Metafile;
}

/** The inputs of every chunk `entry`'s output loads before it runs (its static imports, transitively). */
function loadedAtStart(meta: Metafile, entry: string): Set<string> {
  const start = Object.keys(meta.outputs).find((o) => meta.outputs[o]!.entryPoint === entry);
  if (start === undefined) throw new Error(`no output for ${entry}`);
  const seen = new Set<string>();
  const todo = [start];
  while (todo.length > 0) {
    const out = todo.pop()!;
    if (seen.has(out)) continue;
    seen.add(out);
    for (const i of meta.outputs[out]!.imports) if (!LAZY.has(i.kind) && i.path in meta.outputs) todo.push(i.path);
  }
  return new Set([...seen].flatMap((o) => Object.keys(meta.outputs[o]!.inputs)));
}

test("no chunk loaded at the start of the binary or of `run` holds TypeBox; it loads only to explain a failure", () => {
  const meta = build();
  for (const entry of ENTRIES) {
    const inputs = [...loadedAtStart(meta, entry)];
    expect({ entry, typebox: inputs.filter((i) => i.includes("@sinclair/typebox")) }).toEqual({ entry, typebox: [] });
    expect({ entry, schemas: inputs.filter((i) => /src\/(immich\/schemas|config\/(schema|explain)|daemon\/file-schemas)\.ts$/.test(i)) }).toEqual({ entry, schemas: [] });
    // Not vacuous: `run` does check what it reads, with the generated checks.
    expect(inputs).toContain("src/generated/checks.ts");
  }
  // Still in the binary, for the failure path.
  const everything = Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));
  expect(everything.some((i) => i.includes("@sinclair/typebox"))).toBe(true);
  expect(everything).toEqual(expect.arrayContaining(["src/immich/schemas.ts", "src/config/explain.ts"]));
});
