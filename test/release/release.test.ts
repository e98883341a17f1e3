// The release's files as scripts/release.ts makes them for a tag (here
// v<package.json's version>, the tag the workflow would be given): every
// binary `build.ts --release` makes runs `--version` (the tag's version) and one
// `once` against the simulator on loopback, each on the C library it was built for.
//   linux-x64          natively (this machine's glibc)
//   linux-x64-musl     Debian's musl loader; Debian has no musl libstdc++, so
//                      its glibc-built libstdc++/libgcc_s plus musl-shim.c
//   linux-arm64        qemu-aarch64-static with Debian's arm64 glibc
//                      (libc6-arm64-cross, /usr/aarch64-linux-gnu)
//   linux-arm64-musl   qemu-aarch64-static over a root holding Debian's arm64
//                      musl loader (musl:arm64), its arm64 libstdc++/libgcc_s
//                      (libstdc++6-arm64-cross, libgcc-s1-arm64-cross) and
//                      musl-shim.c built with aarch64-linux-gnu-gcc, preloaded
// SHA256SUMS names each file with its true sum; the SBOM lists what the
// binaries are made of; the version is the tag's in `status --json` and in
// /metrics' build info; and the image built from the release binary with the
// release's build arguments carries the tag's version and the OCI labels. A
// runner that is not installed (.ci/run installs them) skips its target and
// says why; so do the image tests without a Docker engine.

import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import parse from "parse-prometheus-text-format";
import pkg from "../../package.json" with { type: "json" };
import { imagePlan, parseTag, RELEASE_TARGETS } from "../../scripts/release-lib.ts";
import { cleanEnv, ROOT, spawnProcess } from "../e2e/helpers.ts";
import { closedPort, e2eSimsPerTest, KEYS } from "../e2e/helpers-sim.ts";
import { assembleContext, docker, dockerOk, hostArch, noEngine } from "../image/docker.ts";

// Four cross builds, and Bun under qemu (about 1.5 s for --version alone).
setDefaultTimeout(120_000);

/** Where the rehearsal puts the release's files (the workflow: dist/release too). */
const OUT = "dist/release";
const dist = (f: string) => join(ROOT, OUT, f);
const TAG = `v${pkg.version}`;
const SBOM = `immich-job-daemon-${pkg.version}.cdx.json`;
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
    // The release's own step is under test: run it as the workflow does.
    const build = Bun.spawnSync([process.execPath, "scripts/release.ts", "assets", "--tag", TAG, "--out", OUT], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    if (build.exitCode !== 0) throw new Error(`scripts/release.ts assets failed:\n${build.stderr.toString()}${build.stdout.toString()}`);
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

  test("SHA256SUMS lists every target and the SBOM once with its true sum", () => {
    const lines = readFileSync(dist("SHA256SUMS"), "utf8").trim().split("\n");
    expect(RUNNERS.map((r) => r.target).sort()).toEqual([...RELEASE_TARGETS].sort());
    expect(lines.map((l) => l.split("  ")[1]).sort()).toEqual([...RUNNERS.map((r) => `immich-job-daemon-${r.target}`), SBOM].sort());
    for (const line of lines) {
      const [sum, file] = line.split("  ");
      expect(createHash("sha256").update(readFileSync(dist(file!))).digest("hex")).toBe(sum!);
      // A self-contained Bun binary: the runtime is inside (tens of MB), not a launcher script.
      if (file !== SBOM) expect(statSync(dist(file!)).size).toBeGreaterThan(50_000_000);
    }
    // What a user runs to check a download, as install.md says.
    const check = Bun.spawnSync(["sha256sum", "-c", "SHA256SUMS"], { cwd: join(ROOT, OUT), stdout: "pipe", stderr: "pipe" });
    expect(check.stdout.toString().trim().split("\n").sort()).toEqual(lines.map((l) => `${l.split("  ")[1]}: OK`).sort());
    expect(check.exitCode).toBe(0);
  });

  test("the SBOM is CycloneDX naming the release and exactly the production dependencies package-lock.json pins, plus the Bun runtime inside", () => {
    const bom = JSON.parse(readFileSync(dist(SBOM), "utf8")) as {
      bomFormat: string;
      specVersion: string;
      metadata: { component: { name: string; version: string; type: string; licenses: { license: { id: string } }[] } };
      components: { name: string; version: string; purl: string; hashes?: { alg: string; content: string }[] }[];
      dependencies: { ref: string; dependsOn: string[] }[];
    };
    expect(bom.bomFormat).toBe("CycloneDX");
    expect(bom.specVersion).toMatch(/^1\.\d+$/);
    expect(bom.metadata.component).toMatchObject({ name: "immich-job-daemon", version: pkg.version, type: "application" });
    expect(bom.metadata.component.licenses[0]!.license.id).toBe(pkg.license);
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string; dev?: boolean; integrity?: string }> };
    const production = Object.entries(lock.packages)
      .filter(([path, p]) => path.startsWith("node_modules/") && !p.dev)
      .map(([path, p]) => `${path.slice(path.lastIndexOf("node_modules/") + 13)}@${p.version}`);
    expect(production.length).toBeGreaterThanOrEqual(Object.keys(pkg.dependencies).length);
    const listed = bom.components.map((c) => `${c.name}@${c.version}`);
    expect(listed.sort()).toEqual([...production, `bun@${lock.packages["node_modules/bun"]!.version}`].sort());
    for (const c of bom.components) {
      expect(c.purl).toStartWith("pkg:npm/");
      // The lockfile's integrity hash, as hex.
      const integrity = lock.packages[`node_modules/${c.name}`]!.integrity!;
      expect(c.hashes![0]!.content).toBe(Buffer.from(integrity.slice(integrity.indexOf("-") + 1), "base64").toString("hex"));
    }
    const root = bom.dependencies.find((d) => d.ref === `immich-job-daemon@${pkg.version}`)!;
    expect(root.dependsOn.sort()).toEqual([...Object.entries(pkg.dependencies).map(([n, v]) => `${n}@${v}`), `bun@${lock.packages["node_modules/bun"]!.version}`].sort());
  });

  test.skipIf(!onX64)(`the tag's version is in \`status --json\` and in /metrics' build info${onX64 ? "" : " (skipped: this machine is not linux x64)"}`, async () => {
    const binary = dist("immich-job-daemon-linux-x64");
    const sim = await startSim({ speed: 10 });
    const env = cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon, POLL_INTERVAL: "0.2" });
    const status = await spawnProcess([binary, "status", "--json"], env).exited;
    expect(status.code).toBe(0);
    // `version` there is the Immich server's (as before); the daemon's is `daemonVersion`.
    expect((JSON.parse(status.stdout) as { daemonVersion: string }).daemonVersion).toBe(pkg.version);

    const port = closedPort();
    const d = spawnProcess([binary, "run"], { ...env, STATUS_ADDR: String(port) });
    await d.waitForOutput(`immich-job-daemon ${pkg.version} starting`);
    await d.waitForOutput("connected to Immich", 20_000);
    const families = parse(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    const info = families.find((f) => f.name === "immich_job_daemon_build_info")!;
    expect((info.metrics[0] as { labels: Record<string, string> }).labels.version).toBe(pkg.version);
    d.signal("SIGTERM");
    expect((await d.exited).code).toBe(0);
  });

  for (const r of RUNNERS) {
    const what = `${r.target}: --version, then one \`once\` against the simulator`;
    test.skipIf(r.skip !== undefined)(r.skip ? `${what} (skipped: ${r.skip})` : what, async () => {
      const binary = dist(`immich-job-daemon-${r.target}`);
      const expected = pkg.version;
      const version = await spawnProcess([...r.prefix!(), binary, "--version"], cleanEnv()).exited;
      expect(version.stderr).toBe("");
      expect(version.code).toBe(0);
      expect(version.stdout.trim()).toBe(expected);

      const sim = await startSim({ speed: 10 });
      const once = await spawnProcess([...r.prefix!(), binary, "once"], cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon })).exited;
      expect(once.code).toBe(0);
      expect(once.stderr).not.toContain(" ERROR ");
      // At rest, one cycle pauses every managed queue (release) but metadataExtraction,
      // standing by for uploads (rule 12), and storageTemplateMigration, passing through (the
      // storage template is off), with this binary's requests.
      const idle = sim.pausable().filter((q) => q !== "metadataExtraction").sort();
      expect(sim.managedPaused().sort()).toEqual(idle);
      expect(sim.changesBy("daemon").length).toBe(idle.length);
    });
  }
});

describe("the release image", () => {
  // The Dockerfile's final stage built from the release's linux-x64 binary with
  // the build arguments the workflow gives buildx (imagePlan), as the image test
  // builds it where no base image can be pulled (test/image/docker.ts).
  const why = noEngine() ?? (onX64 ? undefined : "this machine is not linux x64");
  const parsed = parseTag(TAG);
  if (!parsed.ok) throw new Error(parsed.problem);
  // A fork's name in mixed case: the registry's names are lower case, the source URL is as given.
  const plan = imagePlan(parsed.value, "Immich-Job-Daemon/immich-job-daemon", "0123456789abcdef0123456789abcdef01234567");
  const tag = `immich-job-daemon:release-test-${process.pid}`;

  test.skipIf(why !== undefined)(`carries the tag's version and the OCI labels, and its binary says the same version${why ? ` (skipped: ${why})` : ""}`, () => {
    const work = mkdtempSync(join(tmpdir(), "ijd-release-image-"));
    try {
      const { arch, libdir } = hostArch();
      assembleContext(join(work, "context"), dist("immich-job-daemon-linux-x64"), arch, libdir);
      const args = Object.entries(plan.buildArgs).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]);
      dockerOk(["build", "-q", "-t", tag, ...args, join(work, "context")], 300_000);
      const [info] = JSON.parse(dockerOk(["image", "inspect", tag])) as { Config: { Labels: Record<string, string> } }[];
      expect(info!.Config.Labels).toMatchObject(plan.labels);
      expect(plan.labels).toEqual({
        "org.opencontainers.image.version": pkg.version,
        "org.opencontainers.image.source": "https://github.com/Immich-Job-Daemon/immich-job-daemon",
        "org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567",
        "org.opencontainers.image.licenses": "MIT",
      });
      const version = docker(["run", "--rm", "--network", "none", tag, "--version"]);
      expect(version.stdout.trim()).toBe(pkg.version);
      // The registry's names for it are valid references (lower case), as `docker tag` checks.
      for (const t of plan.tags) dockerOk(["tag", tag, t]);
      expect(plan.tags).toEqual([`ghcr.io/immich-job-daemon/immich-job-daemon:${pkg.version}`, `ghcr.io/immich-job-daemon/immich-job-daemon:${pkg.version.split(".").slice(0, 2).join(".")}`, "ghcr.io/immich-job-daemon/immich-job-daemon:latest"]);
    } finally {
      for (const t of [tag, ...plan.tags]) docker(["rmi", t]);
      rmSync(work, { recursive: true, force: true });
    }
  });
});
