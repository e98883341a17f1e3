// The documentation stays true. The README is a short page for a newcomer;
// the reference lives under docs/. Here: the generated blocks match the code
// (and bench/results.json); every command of --help, every variable, exit
// code, status endpoint and metric the binary knows is documented under
// docs/; each exit code has its troubleshooting section; the README keeps
// its promises (short, the quick start's two commands, every install
// channel); and every relative link and #anchor in README.md, README.ru.md
// and docs/ resolves.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { generatedBlocks, readBlock, ROOT } from "../scripts/readme-blocks.ts";
import { EXIT_CODE_DOCS } from "../src/cli/exit-codes.ts";
import { helpText } from "../src/cli/help.ts";
import { CONFIG_VARIABLES } from "../src/config/index.ts";
import { metricsMarkdown } from "../src/status/metrics-doc.ts";

const read = (file: string) => readFileSync(join(ROOT, file), "utf8");
const DOCS = readdirSync(join(ROOT, "docs"))
  .filter((f) => f.endsWith(".md"))
  .map((f) => `docs/${f}`);
const docs = Object.fromEntries(DOCS.map((f) => [f, read(f)]));
const allDocs = Object.values(docs).join("\n");
const readme = read("README.md");

test("the generated blocks are current (run `bun scripts/readme.ts` after changing a variable, exit code or metric)", () => {
  for (const [file, blocks] of Object.entries(generatedBlocks())) {
    const text = read(file);
    for (const [name, body] of Object.entries(blocks)) expect({ file, name, body: readBlock(text, name) }).toEqual({ file, name, body });
  }
});

test("the variables reference is purely generated: every variable once, in the table's order", () => {
  const table = readBlock(docs["docs/configuration.md"]!, "variables")!;
  const names = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
  expect(names).toEqual(CONFIG_VARIABLES.map((v) => v.name));
});

describe("everything the binary knows is documented under docs/", () => {
  test("every command of --help", () => {
    const commands = [...helpText().matchAll(/^  ([a-z-]+)\s{2,}/gm)].map((m) => m[1]!);
    expect(commands).toContain("healthcheck");
    for (const c of commands) expect({ c, documented: docs["docs/configuration.md"]!.includes(`| \`${c}`) }).toEqual({ c, documented: true });
  });

  test("every variable, in the docs and in --help", () => {
    for (const v of CONFIG_VARIABLES) {
      expect({ v: v.name, documented: allDocs.includes(`\`${v.name}\``) }).toEqual({ v: v.name, documented: true });
      expect(helpText()).toContain(v.name);
    }
  });

  test("every exit code, in the table and with a troubleshooting section saying what to do", () => {
    const trouble = docs["docs/troubleshooting.md"]!;
    for (const [code] of EXIT_CODE_DOCS) {
      expect(docs["docs/configuration.md"]).toContain(`| ${code} |`);
      const section = trouble.split(`\n## Exit code ${code}\n`)[1]?.split("\n## ")[0] ?? "";
      expect({ code, words: section.split(/\s+/).length > 10 }).toEqual({ code, words: true });
    }
  });

  test("every status endpoint the server answers", () => {
    const server = read("src/status/http.ts");
    const paths = [...server.matchAll(/case "(\/[^"]*)":/g)].map((m) => m[1]!);
    expect(paths).toContain("/metrics");
    const page = docs["docs/status-and-notifications.md"]!;
    for (const p of paths) expect(page).toContain(`| \`${p}\` |`);
  });

  test("every metric", () => {
    const names = [...metricsMarkdown().matchAll(/`(immich_job_daemon_[a-z_]+)`/g)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(10);
    for (const n of names) expect(docs["docs/status-and-notifications.md"]).toContain(`\`${n}\``);
  });
});

describe("the README is a newcomer's page", () => {
  test("at most 200 lines", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(200);
  });

  test("the quick start is the one the issue asks for", () => {
    const quick = readme.split("\n## Quick start\n")[1]!.split("\n## ")[0]!;
    expect(quick).toContain("npm install && npm run demo");
    expect(quick).toContain("npm install && npm test");
  });

  test("a screenshot, and every install channel with its page", () => {
    expect(readme).toMatch(/!\[[^\]]+\]\(docs\/status-page-desktop\.png\)/);
    const install = readme.split("\n## Install\n")[1]!.split("\n## ")[0]!;
    const channels = [...install.matchAll(/^### (.+)$/gm)].map((m) => m[1]!);
    expect(channels).toEqual(["Binary (Linux x64 or arm64)", "Docker / compose", "systemd", "Home Assistant", "From source"]);
    expect(install).toContain("](docs/install.md)");
  });
});

// Pages other helpers write, which README.md links before they are merged in.
// At merge, empty this list: the test below fails while a listed page exists.
const PENDING_MERGE: string[] = [];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N}\- _]/gu, "")
    .replace(/ /g, "-");
}

function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*`{3,}\S*\s*$/.test(line)) fenced = !fenced;
    const h = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (!h) continue;
    const s = slug(h[1]!);
    const n = seen.get(s) ?? 0;
    seen.set(s, n + 1);
    out.add(n === 0 ? s : `${s}-${n}`);
  }
  return out;
}

describe("links", () => {
  const pages = ["README.md", "README.ru.md", ...DOCS];

  test("every relative link and #anchor resolves", () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = read(page).replace(/^\s*```\S*\s*$[\s\S]*?^\s*```\s*$/gm, "");
      const targets = [...text.matchAll(/\]\(([^)\s]+)\)|<img src="([^"]+)"/g)].map((m) => (m[1] ?? m[2])!);
      for (const t of targets) {
        if (/^[a-z]+:/.test(t)) continue;
        const [path, anchor] = t.split("#") as [string, string | undefined];
        const file = path === "" ? page : normalize(join(dirname(page), path));
        if (relative(ROOT, join(ROOT, file)).startsWith("..")) broken.push(`${page}: ${t} leaves the repository`);
        else if (!existsSync(join(ROOT, file))) {
          if (!PENDING_MERGE.includes(file)) broken.push(`${page}: ${t} (no ${file})`);
        } else if (anchor !== undefined && file.endsWith(".md") && !anchors(read(file)).has(anchor)) {
          broken.push(`${page}: ${t} (no heading #${anchor} in ${file})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  test("the pages awaiting a merge are not here yet (once they are, empty PENDING_MERGE)", () => {
    expect(PENDING_MERGE.filter((f) => existsSync(join(ROOT, f)))).toEqual([]);
  });

  test("docs/README.md indexes every page under docs/", () => {
    const index = docs["docs/README.md"]!;
    for (const f of DOCS.filter((x) => x !== "docs/README.md")) expect(index).toContain(`](${f.slice("docs/".length)})`);
  });
});
