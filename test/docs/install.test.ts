// docs/install.md run as written: every block it marks as run by this file,
// in order, in a download directory holding the release build's linux-x64
// binary and SHA256SUMS, against the simulator. Substitutions (the page states
// them): sudo dropped, /usr/local and /etc under a temporary root, the
// example URL and key replaced by the simulator's. The other blocks must say
// why they are not run.

import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../e2e/helpers.ts";
import { type E2ESim, KEYS } from "../e2e/helpers-sim.ts";
import { type DownloadDir, openDownloadDir, RELEASE_FILE } from "./download-dir.ts";
import { guideBlocks } from "./guide-blocks.ts";

setDefaultTimeout(120_000);

const PAGE = readFileSync(join(ROOT, "docs/install.md"), "utf8");
const FILE = RELEASE_FILE;
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
  let dir: DownloadDir;
  let sim: E2ESim;
  let root = "";
  /** Runs one block of the page (by its index among this file's) in the download directory. */
  const run = (i: number) => dir.run(mine[i]!.text);

  beforeAll(async () => {
    if (why) return;
    dir = await openDownloadDir("ijd-install-", ["."]);
    ({ sim, root } = dir);
  });

  afterAll(async () => {
    if (!why) await dir.stop();
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
