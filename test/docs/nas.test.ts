// docs/nas.md, the NAS guide, run as written: every block it marks as run by
// this file, in order, in one download directory holding the release build's
// linux-x64 binary, SHA256SUMS and the systemd unit, against the simulator.
// Substitutions (the guide states them): sudo dropped, /usr/local and /etc
// under a temporary root, the example URL and key replaced by the simulator's.
// The blocks it marks "Not run here" (systemctl, journalctl) are not run.

import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanEnv, ensureBinary, ROOT } from "../e2e/helpers.ts";
import { type E2ESim, KEYS } from "../e2e/helpers-sim.ts";
import { type DownloadDir, openDownloadDir, RELEASE_FILE } from "./download-dir.ts";
import { guideBlocks } from "./guide-blocks.ts";

setDefaultTimeout(120_000);

const GUIDE = readFileSync(join(ROOT, "docs/nas.md"), "utf8");
const FILE = RELEASE_FILE;
const why =
  process.platform !== "linux" || process.arch !== "x64"
    ? "the guide's commands name the linux-x64 file; this machine is not linux x64"
    : !Bun.which("sha256sum") || !Bun.which("ldd")
      ? "no sha256sum or ldd"
      : undefined;
const name = (what: string) => (why ? `${what} (skipped: ${why})` : what);

describe("docs/nas.md", () => {
  const blocks = guideBlocks(GUIDE);
  const mine = blocks.filter((b) => b.runBy === "test/docs/nas.test.ts");
  let dir: DownloadDir;
  let sim: E2ESim;
  let download = "";
  let root = "";
  /** Runs one block of the page (by its index among this file's) in the download directory. */
  const run = (i: number) => dir.run(mine[i]!.text);

  beforeAll(async () => {
    if (why) return;
    dir = await openDownloadDir("ijd-nas-", ["systemd/system"], [["deploy/immich-job-daemon.service", "immich-job-daemon.service"]]);
    ({ sim, download, root } = dir);
  });

  afterAll(async () => {
    if (!why) await dir.stop();
  });

  test("every command block says how it was checked, and the ones not run say why", () => {
    expect(blocks.length).toBeGreaterThan(5);
    for (const b of blocks) {
      const before = GUIDE.split("\n")[b.line - 2]!;
      expect({ line: b.line, mark: b.runBy || before }).toEqual({
        line: b.line,
        mark: expect.stringMatching(/^(test\/docs\/nas\.test\.ts|test\/image\/compose\.test\.ts|\*Not run here: .+\*)$/),
      });
    }
    // What is not run is only what needs a running systemd.
    for (const b of blocks.filter((x) => !x.runBy)) for (const l of b.text.split("\n")) expect(l).toMatch(/^(sudo systemctl|journalctl) /);
    expect(mine.length).toBe(6);
  });

  test.skipIf(why !== undefined)(name("1-2: which file, its checksum, install, --version"), async () => {
    const which = await run(0);
    expect(which.code).toBe(0);
    expect(which.stdout.split("\n")[0]).toBe("x86_64");
    expect(which.stdout).toMatch(/GLIBC|GNU libc/);

    const install = await run(1);
    expect(install.stderr).toBe("");
    expect(install.code).toBe(0);
    expect(install.stdout).toContain(`${FILE}: OK`);
    const version = Bun.spawnSync([ensureBinary(), "--version"], { stdout: "pipe" }).stdout.toString().trim();
    expect(install.stdout.trim().split("\n").at(-1)).toBe(version);
    expect(statSync(join(root, "usr/local/bin/immich-job-daemon")).mode & 0o777).toBe(0o755);
  });

  test.skipIf(why !== undefined)(name("a damaged download fails the check, and the block stops before installing"), async () => {
    const damaged = join(download, FILE);
    const good = readFileSync(damaged);
    rmSync(join(root, "usr/local/bin/immich-job-daemon"), { force: true });
    const bad = Buffer.from(good);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
    writeFileSync(damaged, bad);
    try {
      const r = await run(1);
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toContain("FAILED");
      expect(existsSync(join(root, "usr/local/bin/immich-job-daemon"))).toBe(false);
    } finally {
      writeFileSync(damaged, good);
    }
    expect((await run(1)).code).toBe(0);
  });

  test.skipIf(why !== undefined)(name("3: status and a dry-run once read the server and send no pause or resume"), async () => {
    const r = await run(2);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("metadataExtraction");
    expect(r.stdout + r.stderr).toMatch(/dry run|would/i);
    expect(sim.requests.filter((q) => q.method === "PUT" || q.method === "POST")).toEqual([]);
    expect(sim.requests.length).toBeGreaterThan(0);
  });

  test.skipIf(why !== undefined)(name("4a: the unit and the settings file are installed, the key file readable by root only"), async () => {
    const r = await run(3);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(join(root, "etc/systemd/system/immich-job-daemon.service"), "utf8")).toBe(readFileSync(join(ROOT, "deploy/immich-job-daemon.service"), "utf8"));
    expect(statSync(join(root, "etc/immich-job-daemon.env")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(root, "etc/immich-job-daemon.env"), "utf8")).toBe(`IMMICH_URL=${sim.url}\nAPI_KEY=${KEYS.daemon}\nMAX_CONCURRENT_JOBS=1\n`);
  });

  test.skipIf(why !== undefined)(name("5-6: upgrade in place; removal resumes every paused queue and leaves no file"), async () => {
    const upgrade = await run(4);
    expect(upgrade.code).toBe(0);
    expect(upgrade.stdout).toContain(`${FILE}: OK`);

    // The running service, as far as Immich sees it: one cycle has paused the idle queues.
    const once = Bun.spawn([join(root, "usr/local/bin/immich-job-daemon"), "once"], { env: cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon }), stdout: "ignore", stderr: "ignore" });
    expect(await once.exited).toBe(0);
    expect(sim.managedPaused().length).toBeGreaterThan(0);

    const remove = await run(5);
    expect(remove.code).toBe(0);
    expect(sim.managedPaused()).toEqual([]);
    for (const f of ["usr/local/bin/immich-job-daemon", "etc/systemd/system/immich-job-daemon.service", "etc/immich-job-daemon.env"]) {
      expect(existsSync(join(root, f))).toBe(false);
    }
  });
});
