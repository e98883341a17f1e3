// Every binary `npm run build:release` makes runs: `--version` and one `once`
// against the simulator on loopback, each on the C library it was built for.
//   linux-x64          natively (this machine's glibc)
//   linux-x64-musl     Debian's musl loader; Debian has no musl libstdc++, so
//                      its glibc-built libstdc++/libgcc_s plus musl-shim.c
//   linux-arm64        qemu-aarch64-static with Debian's arm64 glibc
//                      (libc6-arm64-cross, /usr/aarch64-linux-gnu)
//   linux-arm64-musl   qemu-aarch64-static over a root holding Debian's arm64
//                      musl loader (musl:arm64), its arm64 libstdc++/libgcc_s
//                      (libstdc++6-arm64-cross, libgcc-s1-arm64-cross) and
//                      musl-shim.c built with aarch64-linux-gnu-gcc, preloaded
// and dist/SHA256SUMS names each file with its true sum. A runner that is not
// installed (.ci/run installs them) skips its target and says why.

import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnv, ensureBinary, ROOT, spawnProcess } from "../e2e/helpers.ts";
import { e2eSimsPerTest, KEYS } from "../e2e/helpers-sim.ts";

// Four cross builds, and Bun under qemu (about 1.5 s for --version alone).
setDefaultTimeout(120_000);

const dist = (f: string) => join(ROOT, "dist", f);
const startSim = e2eSimsPerTest();

const ARM64_GLIBC = "/usr/aarch64-linux-gnu";
const MUSL_X64 = "/lib/ld-musl-x86_64.so.1";
const MUSL_ARM64 = "/lib/ld-musl-aarch64.so.1";

/** How to run one target here: the command prefix, or why it cannot run. */
interface Runner {
  target: string;
  prefix?: () => string[];
  skip?: string;
}

const onX64 = process.platform === "linux" && process.arch === "x64";
let muslLibs = "";
/** A root for qemu -L: the arm64 musl loader, libstdc++, libgcc_s and the shim in /lib. */
let muslArm64Root = "";

const RUNNERS: Runner[] = [
  { target: "linux-x64", ...(onX64 ? { prefix: () => [] } : { skip: "this machine is not linux x64" }) },
  {
    target: "linux-x64-musl",
    ...(!onX64
      ? { skip: "this machine is not linux x64" }
      : !existsSync(MUSL_X64)
        ? { skip: `no musl loader at ${MUSL_X64} (Debian's musl package)` }
        : !Bun.which("cc")
          ? { skip: "no C compiler for the test's glibc-symbol shim" }
          : { prefix: () => [MUSL_X64, "--library-path", muslLibs] }),
  },
  {
    target: "linux-arm64",
    ...(process.platform === "linux" && process.arch === "arm64"
      ? { prefix: () => [] }
      : !Bun.which("qemu-aarch64-static")
        ? { skip: "no qemu-aarch64-static (Debian's qemu-user-static)" }
        : !existsSync(join(ARM64_GLIBC, "lib/libc.so.6"))
          ? { skip: `no arm64 glibc in ${ARM64_GLIBC} (Debian's libc6-arm64-cross)` }
          : { prefix: () => ["qemu-aarch64-static", "-L", ARM64_GLIBC] }),
  },
  {
    target: "linux-arm64-musl",
    ...(!Bun.which("qemu-aarch64-static")
      ? { skip: "no qemu-aarch64-static (Debian's qemu-user-static)" }
      : !existsSync(MUSL_ARM64)
        ? { skip: `no arm64 musl loader at ${MUSL_ARM64} (Debian's musl:arm64)` }
        : !existsSync(join(ARM64_GLIBC, "lib/libstdc++.so.6")) || !existsSync(join(ARM64_GLIBC, "lib/libgcc_s.so.1"))
          ? { skip: `no arm64 libstdc++/libgcc_s in ${ARM64_GLIBC}/lib (libstdc++6-arm64-cross, libgcc-s1-arm64-cross)` }
          : !Bun.which("aarch64-linux-gnu-gcc")
            ? { skip: "no aarch64-linux-gnu-gcc for the test's glibc-symbol shim (gcc-aarch64-linux-gnu)" }
            : { prefix: () => ["qemu-aarch64-static", "-L", muslArm64Root, "-E", "LD_PRELOAD=/lib/glibc-shim.so", "-E", "LD_LIBRARY_PATH=/lib"] }),
  },
];

describe("the release binaries", () => {
  beforeAll(() => {
    ensureBinary();
    // The release build itself is under test: run it, as a user would.
    const build = Bun.spawnSync([process.execPath, "scripts/build.ts", "--release"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    if (build.exitCode !== 0) throw new Error(`npm run build:release failed:\n${build.stderr.toString()}${build.stdout.toString()}`);
    if (onX64 && existsSync(MUSL_X64) && Bun.which("cc")) {
      // Debian's libstdc++ and libgcc_s, and the shim under the glibc loader's soname they ask for.
      muslLibs = mkdtempSync(join(tmpdir(), "ijd-musl-"));
      for (const lib of ["/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libgcc_s.so.1"]) {
        copyFileSync(lib, join(muslLibs, lib.split("/").at(-1)!));
      }
      const cc = Bun.spawnSync(
        ["cc", "-O2", "-ffreestanding", "-shared", "-fPIC", "-nostdlib", "-Wl,-soname,ld-linux-x86-64.so.2", join(import.meta.dir, "musl-shim.c"), "-o", join(muslLibs, "ld-linux-x86-64.so.2")],
        { stderr: "pipe" },
      );
      if (cc.exitCode !== 0) throw new Error(`could not compile musl-shim.c: ${cc.stderr.toString()}`);
    }
    if (RUNNERS.find((r) => r.target === "linux-arm64-musl")!.prefix) {
      muslArm64Root = mkdtempSync(join(tmpdir(), "ijd-musl-arm64-"));
      mkdirSync(join(muslArm64Root, "lib"));
      copyFileSync(MUSL_ARM64, join(muslArm64Root, "lib/ld-musl-aarch64.so.1")); // follows the link to musl's libc.so
      for (const lib of ["libstdc++.so.6", "libgcc_s.so.1"]) copyFileSync(join(ARM64_GLIBC, "lib", lib), join(muslArm64Root, "lib", lib));
      const cc = Bun.spawnSync(
        ["aarch64-linux-gnu-gcc", "-O2", "-ffreestanding", "-shared", "-fPIC", "-nostdlib", join(import.meta.dir, "musl-shim.c"), "-o", join(muslArm64Root, "lib/glibc-shim.so")],
        { stderr: "pipe" },
      );
      if (cc.exitCode !== 0) throw new Error(`could not compile musl-shim.c for arm64: ${cc.stderr.toString()}`);
    }
  });

  test("SHA256SUMS lists every target once with its true sum", () => {
    const lines = readFileSync(dist("SHA256SUMS"), "utf8").trim().split("\n");
    expect(lines.map((l) => l.split("  ")[1]).sort()).toEqual(RUNNERS.map((r) => `immich-job-daemon-${r.target}`).sort());
    for (const line of lines) {
      const [sum, file] = line.split("  ");
      expect(createHash("sha256").update(readFileSync(dist(file!))).digest("hex")).toBe(sum!);
      // A self-contained Bun binary: the runtime is inside (tens of MB), not a launcher script.
      expect(statSync(dist(file!)).size).toBeGreaterThan(50_000_000);
    }
  });

  for (const r of RUNNERS) {
    const what = `${r.target}: --version, then one \`once\` against the simulator`;
    test.skipIf(r.skip !== undefined)(r.skip ? `${what} (skipped: ${r.skip})` : what, async () => {
      const binary = dist(`immich-job-daemon-${r.target}`);
      const expected = Bun.spawnSync([ensureBinary(), "--version"], { stdout: "pipe" }).stdout.toString().trim();
      const version = await spawnProcess([...r.prefix!(), binary, "--version"], cleanEnv()).exited;
      expect(version.stderr).toBe("");
      expect(version.code).toBe(0);
      expect(version.stdout.trim()).toBe(expected);

      const sim = await startSim({ speed: 10 });
      const once = await spawnProcess([...r.prefix!(), binary, "once"], cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon })).exited;
      expect(once.code).toBe(0);
      expect(once.stderr).not.toContain(" ERROR ");
      // At rest, one cycle pauses every managed queue (release) but metadataExtraction,
      // standing by for uploads (rule 12), with this binary's requests.
      const idle = sim.managed().filter((q) => q !== "metadataExtraction").sort();
      expect(sim.managedPaused().sort()).toEqual(idle);
      expect(sim.changesBy("daemon").length).toBe(idle.length);
    });
  }
});
