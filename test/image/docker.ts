// The Docker side of the image test: whether an engine answers (and why not,
// for the skip message), running the docker CLI, and the build context the
// test assembles where no base image can be pulled: the Dockerfile's final
// stage unchanged but for where its COPY --from=build reads, and the files
// the build stage would have made, laid out by the same scripts/image-rootfs.sh.

import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBinary, ROOT } from "../e2e/helpers.ts";

/** The tag the tests build and run. */
export const IMAGE = "immich-job-daemon:test";
/** Test-only label: a sha256 of what the image is made of, so a later test file reuses a current image. */
const BINARY_LABEL = "test.immich-job-daemon.inputs-sha256";
export const SOURCE = "https://example.org/immich-job-daemon.git";

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `docker ...args` to its end (killed after `timeoutMs`). */
export function docker(args: string[], timeoutMs = 120_000): Run {
  const t0 = performance.now();
  const r = Bun.spawnSync(["docker", ...args], { stdout: "pipe", stderr: "pipe", timeout: timeoutMs, env: { ...process.env, DOCKER_CLI_HINTS: "false" } });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString(), ms: performance.now() - t0 };
}

/**
 * The same without blocking: while a container talks to the simulator in this
 * process, the event loop must keep answering it (a `docker stop` run with
 * spawnSync would leave the daemon's resumes unanswered).
 */
export async function dockerAsync(args: string[], timeoutMs = 120_000): Promise<Run> {
  const t0 = performance.now();
  const p = Bun.spawn(["docker", ...args], { stdout: "pipe", stderr: "pipe", timeout: timeoutMs, env: { ...process.env, DOCKER_CLI_HINTS: "false" } });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  await p.exited;
  return { code: p.exitCode, stdout, stderr, ms: performance.now() - t0 };
}

/** Runs docker and fails with its output unless it exits 0; returns stdout. */
export function dockerOk(args: string[], timeoutMs?: number): string {
  const r = docker(args, timeoutMs);
  if (r.code !== 0) throw new Error(`docker ${args.join(" ")} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Why no image can be built and run here, or undefined if an engine answers. */
export function noEngine(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (!Bun.which("docker")) return "no docker CLI (.ci/run installs docker.io)";
  const info = docker(["info", "--format", "{{.ServerVersion}}"], 20_000);
  if (info.code !== 0 || !info.stdout.trim()) {
    const why = (info.stderr.trim().split("\n").find((l) => l.trim()) ?? `docker info exited ${info.code}`).trim();
    return `no Docker engine answers (${why}); .ci/run starts dockerd`;
  }
  return undefined;
}

/** Docker's name for this machine's architecture, and where Debian keeps its C library. */
export function hostArch(): { arch: "amd64" | "arm64"; libdir: string } {
  if (process.arch === "x64") return { arch: "amd64", libdir: "/lib/x86_64-linux-gnu" };
  if (process.arch === "arm64") return { arch: "arm64", libdir: "/lib/aarch64-linux-gnu" };
  throw new Error(`no image for ${process.arch}`);
}

const FROM_BUILD = /^COPY --from=build (.*?)\/(\S*) (\S+)$/;

/**
 * The Dockerfile's global ARGs and its final stage (from the last FROM on),
 * with every `COPY --from=build /path dest` turned into `COPY path dest`: the
 * same instructions, reading from a context that holds the build stage's
 * files at the same paths. Throws if the final stage is not FROM scratch or
 * reads from another stage some other way.
 */
export function finalStage(dockerfile: string): string {
  const lines = dockerfile.split("\n");
  const firstFrom = lines.findIndex((l) => /^FROM /.test(l));
  const lastFrom = lines.findLastIndex((l) => /^FROM /.test(l));
  if (lines[lastFrom] !== "FROM scratch") throw new Error(`the final stage is "${lines[lastFrom]}", not FROM scratch`);
  const globals = lines.slice(0, firstFrom).filter((l) => /^ARG /.test(l));
  let copies = 0;
  const stage = lines.slice(lastFrom).map((l) => {
    const m = FROM_BUILD.exec(l);
    if (!m) return l;
    copies++;
    return `COPY ${m[1]}${m[2]} ${m[3]}`;
  });
  if (copies === 0) throw new Error("the final stage copies nothing from the build stage");
  const left = stage.find((l) => l.includes("--from="));
  if (left) throw new Error(`a COPY the test cannot redirect: ${left}`);
  return [...globals, ...stage].join("\n");
}

/**
 * A build context for the final stage: Dockerfile, rootfs/ (what the build
 * stage's scripts/image-rootfs.sh makes at /rootfs) and state/ (its empty /state).
 */
export function assembleContext(dir: string, binary: string, arch: string, libdir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "Dockerfile"), finalStage(readFileSync(join(ROOT, "Dockerfile"), "utf8")));
  const r = Bun.spawnSync(["sh", join(ROOT, "scripts/image-rootfs.sh"), arch, binary, libdir, join(dir, "rootfs")], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`image-rootfs.sh failed: ${r.stderr.toString()}`);
  mkdirSync(join(dir, "state"));
}

/** Every path in an image's layers (from `docker save`), with owner and mode, as "mode uid:gid path". */
export function imageFiles(image: string, workdir: string): string[] {
  mkdirSync(workdir, { recursive: true });
  const save = Bun.spawnSync(["sh", "-c", `docker save "$1" | tar -xf - -C "$2"`, "sh", image, workdir], { stderr: "pipe" });
  if (save.exitCode !== 0) throw new Error(`docker save failed: ${save.stderr.toString()}`);
  const manifest = JSON.parse(readFileSync(join(workdir, "manifest.json"), "utf8")) as { Layers: string[] }[];
  const out: string[] = [];
  for (const layer of manifest[0]!.Layers) {
    const list = Bun.spawnSync(["tar", "--numeric-owner", "-tvf", join(workdir, layer)], { stdout: "pipe" }).stdout.toString();
    for (const line of list.split("\n").filter(Boolean)) {
      // drwxr-xr-x 0/0  0 2026-11-29 20:25 var/lib/
      const f = line.trim().split(/\s+/);
      out.push(`${f[0]} ${f[1]} ${f.slice(5).join(" ").replace(/\/$/, "")}`);
    }
  }
  return out;
}

/**
 * An image of the current binary, Dockerfile and image-rootfs.sh, tagged
 * immich-job-daemon:test (the name users see) and
 * immich-job-daemon:test-<sha12 of those>, the tag
 * the tests run: engineers' runs share one engine, and a run must never pick
 * up another checkout's image. Built (with `docker build`, from an assembled
 * context) unless that tag already exists. Other checkouts' test-<sha> images
 * older than ten minutes (longer than any run) and unused are removed, so
 * runs do not pile up 110 MB images. Returns the tag, and the build's
 * duration if it built.
 */
export function ensureImage(): { tag: string; ms?: number } {
  const binary = ensureBinary();
  // What the image is made of: the binary, the Dockerfile and the script that lays out its files.
  const sum = createHash("sha256")
    .update(readFileSync(binary))
    .update(readFileSync(join(ROOT, "Dockerfile")))
    .update(readFileSync(join(ROOT, "scripts/image-rootfs.sh")))
    .digest("hex");
  const tag = `${IMAGE}-${sum.slice(0, 12)}`;
  for (const t of testImagesOlderThan(10 * 60_000)) if (t !== tag) docker(["rmi", t]); // refused while a container uses it
  docker(["image", "prune", "-f", "--filter", `label=${BINARY_LABEL}`]); // untagged ones no container uses
  const have = docker(["image", "inspect", "-f", `{{index .Config.Labels "${BINARY_LABEL}"}}`, tag]);
  if (have.code === 0 && have.stdout.trim() === sum) {
    docker(["tag", tag, IMAGE]);
    return { tag };
  }
  const version = Bun.spawnSync([binary, "--version"], { stdout: "pipe" }).stdout.toString().trim();
  const work = mkdtempSync(join(tmpdir(), "ijd-image-"));
  try {
    const { arch, libdir } = hostArch();
    assembleContext(join(work, "context"), binary, arch, libdir);
    const args = ["build", "-q", "-t", tag, "-t", IMAGE, "--label", `${BINARY_LABEL}=${sum}`, "--build-arg", `BUILD_VERSION=${version}`, "--build-arg", `SOURCE_URL=${SOURCE}`];
    const build = docker([...args, join(work, "context")], 300_000);
    if (build.code !== 0) throw new Error(`docker build failed:\n${build.stderr}${build.stdout}`);
    return { tag, ms: build.ms };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The immich-job-daemon:test-<sha> tags created more than `ms` ago. */
export function testImagesOlderThan(ms: number, now = Date.now()): string[] {
  const list = docker(["image", "ls", "--filter", `reference=${IMAGE}-*`, "--format", "{{.Repository}}:{{.Tag}}\t{{.CreatedAt}}"]);
  return list.stdout
    .split("\n")
    .filter(Boolean)
    .flatMap((line) => {
      const [tag, created] = line.split("\t");
      // "2026-11-29 21:30:05 +0000 UTC"
      const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) ([+-]\d\d)(\d\d)/.exec(created ?? "");
      const at = m ? Date.parse(`${m[1]}T${m[2]}${m[3]}:${m[4]}`) : NaN;
      return Number.isFinite(at) && now - at > ms ? [tag!] : [];
    });
}
