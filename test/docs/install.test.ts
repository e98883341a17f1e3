// docs/install.md run as written: every block it marks as run by this file,
// in order, in a download directory holding the release build's linux-x64
// binary and SHA256SUMS, against the simulator. Substitutions (the page states
// them): sudo dropped, /usr/local and /etc under a temporary root, the
// example URL and key replaced by the simulator's. The other blocks must say
// why they are not run.

import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnv, ensureBinary, ROOT } from "../e2e/helpers.ts";
import { type E2ESim, KEYS, startE2ESim } from "../e2e/helpers-sim.ts";
import { guideBlocks, substitute } from "./guide-blocks.ts";

setDefaultTimeout(120_000);

const PAGE = readFileSync(join(ROOT, "docs/install.md"), "utf8");
const FILE = "immich-job-daemon-linux-x64";
const why =
  process.platform !== "linux" || process.arch !== "x64"
    ? "the page's commands name the linux-x64 file; this machine is not linux x64"
    : !Bun.which("sha256sum")
      ? "no sha256sum"
      : undefined;
const name = (what: string) => (why ? `${what} (skipped: ${why})` : what);

describe("docs/install.md", () => {
  const blocks = guideBlocks(PAGE);
  const mine = blocks.filter((b) => b.runBy === "test/docs/install.test.ts");
  let sim: E2ESim;
  let work = "";
  let download = "";
  let root = "";

  // Never spawnSync: the simulator answers from this process's event loop.
  const run = async (i: number) => {
    const text = substitute(mine[i]!.text, { root, url: sim.url, key: KEYS.daemon });
    const env = cleanEnv({ PATH: `${root}/usr/local/bin:${process.env.PATH ?? "/usr/bin:/bin"}` });
    const p = Bun.spawn(["sh", "-e", "-c", text], { cwd: download, env, stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
    return { code: await p.exited, stdout, stderr };
  };

  beforeAll(async () => {
    if (why) return;
    ensureBinary();
    // The release files, as downloaded (the same build nas.test.ts uses).
    const sums = join(ROOT, "dist/SHA256SUMS");
    if (!existsSync(sums) || statSync(sums).mtimeMs < statSync(join(ROOT, "dist/immich-job-daemon")).mtimeMs) {
      const b = Bun.spawnSync([process.execPath, "scripts/build.ts", "--release"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
      if (b.exitCode !== 0) throw new Error(`build:release failed: ${b.stderr.toString()}`);
    }
    work = mkdtempSync(join(tmpdir(), "ijd-install-"));
    download = join(work, "download");
    root = join(work, "root");
    mkdirSync(download);
    for (const d of ["usr/local/bin", "etc"]) mkdirSync(join(root, d), { recursive: true });
    copyFileSync(join(ROOT, "dist", FILE), join(download, FILE));
    copyFileSync(sums, join(download, "SHA256SUMS"));
    sim = await startE2ESim({ speed: 10 });
  });

  afterAll(async () => {
    if (why) return;
    await sim.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test("every command block says how it was checked, and the ones not run say why", () => {
    expect(mine.length).toBe(3);
    for (const b of blocks) {
      const before = PAGE.split("\n")[b.line - 2]!;
      expect({ line: b.line, mark: b.runBy || before }).toEqual({ line: b.line, mark: expect.stringMatching(/^(test\/docs\/install\.test\.ts|\*Not run here: .+\*)$/) });
    }
  });

  test.skipIf(why !== undefined)(name("the binary: checked against SHA256SUMS, installed, its version; then `status`"), async () => {
    const install = await run(0);
    expect(install.stderr).toBe("");
    expect(install.code).toBe(0);
    const version = Bun.spawnSync([join(ROOT, "dist", FILE), "--version"], { stdout: "pipe" }).stdout.toString().trim();
    expect(install.stdout).toBe(`${FILE}: OK\n${version}\n`);
    const status = await run(1);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("thumbnailGeneration");
  });

  test.skipIf(why !== undefined)(name("CONFIG_FILE: the JSON file written with mode 0600 and read by `status`"), async () => {
    const r = await run(2);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(statSync(join(root, "etc/immich-job-daemon.json")).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(root, "etc/immich-job-daemon.json"), "utf8"))).toEqual({ immich_url: sim.url, api_key: KEYS.daemon, max_concurrent_jobs: 2 });
    expect(r.stdout).toContain("thumbnailGeneration");
  });
});
