// A download directory as a reader of docs/install.md or docs/nas.md has one:
// the release build's linux-x64 binary and SHA256SUMS (built if this run has
// not built them yet), with a temporary root standing for / (usr/local/bin and
// the page's etc directories), and the simulator to point the commands at.
// Blocks run there with `sh -e` and the page's substitutions (guide-blocks.ts).

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnv, ensureBinary, ROOT } from "../e2e/helpers.ts";
import { type E2ESim, KEYS, startE2ESim } from "../e2e/helpers-sim.ts";
import { substitute } from "./guide-blocks.ts";

/** The release file the pages name. */
export const RELEASE_FILE = "immich-job-daemon-linux-x64";

export interface DownloadDir {
  download: string;
  /** Stands for / : the page's /usr/local and /etc are under it. */
  root: string;
  sim: E2ESim;
  /** Runs one block's commands as written (substituted) in the download directory. Never spawnSync: the simulator answers from this process's event loop. */
  run(text: string): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** `etc`: the directories under root/etc the page writes to; `extra`: more files to download, [path under the repository, name]. */
export async function openDownloadDir(prefix: string, etc: readonly string[], extra: readonly (readonly [string, string])[] = []): Promise<DownloadDir> {
  ensureBinary();
  const sums = join(ROOT, "dist/SHA256SUMS");
  if (!existsSync(sums) || statSync(sums).mtimeMs < statSync(join(ROOT, "dist/immich-job-daemon")).mtimeMs) {
    const b = Bun.spawnSync([process.execPath, "scripts/build.ts", "--release"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    if (b.exitCode !== 0) throw new Error(`build:release failed: ${b.stderr.toString()}`);
  }
  const work = mkdtempSync(join(tmpdir(), prefix));
  const download = join(work, "download");
  const root = join(work, "root");
  mkdirSync(download);
  for (const d of ["usr/local/bin", ...etc.map((e) => join("etc", e))]) mkdirSync(join(root, d), { recursive: true });
  copyFileSync(join(ROOT, "dist", RELEASE_FILE), join(download, RELEASE_FILE));
  copyFileSync(sums, join(download, "SHA256SUMS"));
  for (const [from, name] of extra) copyFileSync(join(ROOT, from), join(download, name));
  const sim = await startE2ESim({ speed: 10 });
  return {
    download,
    root,
    sim,
    async run(block) {
      const text = substitute(block, { root, url: sim.url, key: KEYS.daemon });
      const env = cleanEnv({ PATH: `${root}/usr/local/bin:${process.env.PATH ?? "/usr/bin:/bin"}` });
      const p = Bun.spawn(["sh", "-e", "-c", text], { cwd: download, env, stdout: "pipe", stderr: "pipe" });
      const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
      return { code: await p.exited, stdout, stderr };
    },
    async stop() {
      await sim.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
