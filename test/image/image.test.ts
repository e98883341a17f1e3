// The container image, built with `docker build` and run for real against the
// simulator on loopback (`--network host`): what is in it (exactly the files
// the Dockerfile header promises), its defaults, and how it behaves (version,
// a refusal, the cap held as uid 65532 on a read-only root with no
// capabilities, the HEALTHCHECK, `docker stop`). No image can be pulled here,
// so the final stage is built from a context assembled as the build stage
// would (test/image/docker.ts). Needs a Docker engine: .ci/run starts one;
// elsewhere every test here is skipped and its name says why.

import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { activeTime, maxActiveQueues } from "../../src/simulator/sim-summary.ts";
import { ensureBinary, expectNoStackTrace, ROOT, spawnProcess, waitUntil } from "../e2e/helpers.ts";
import { type E2ESim, KEYS, startE2ESim } from "../e2e/helpers-sim.ts";
import { assembleContext, docker, dockerAsync, dockerOk, ensureImage, hostArch, imageFiles, noEngine, SOURCE } from "./docker.ts";

// docker build and run on a loaded 2-core machine.
setDefaultTimeout(120_000);

const UID = 65532;
const why = noEngine();
/** The tag of this run's image (immich-job-daemon:test-<sha12>), set once built. */
let IMAGE = "";
const name = (what: string) => (why ? `${what} (skipped: ${why})` : what);

/** Figures for the README, printed once at the end (build, --version, stop). */
const figures: Record<string, string> = {};

describe("the container image", () => {
  let work = "";
  let version = "";
  let sim: E2ESim;
  const containers: string[] = [];

  beforeAll(async () => {
    if (why) return;
    version = Bun.spawnSync([ensureBinary(), "--version"], { stdout: "pipe" }).stdout.toString().trim();
    work = mkdtempSync(join(tmpdir(), "ijd-image-test-"));
    const built = ensureImage();
    IMAGE = built.tag;
    if (built.ms !== undefined) figures.build = `${(built.ms / 1000).toFixed(1)} s`;
    sim = await startE2ESim({ speed: 10 });
  });

  afterAll(async () => {
    if (why) return;
    for (const c of containers) docker(["rm", "-f", "-v", c]);
    await sim?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    if (Object.keys(figures).length) console.log(`image figures: ${JSON.stringify(figures)}`);
  });

  /** A container name of this run, removed (with its volumes) after the tests. */
  const container = (what: string) => {
    const c = `ijd-test-${what}-${process.pid}`;
    docker(["rm", "-f", "-v", c]);
    containers.push(c);
    return c;
  };

  test.skipIf(why !== undefined)(name("it holds exactly the binary, the C library's files, passwd/group, /tmp and the state directory owned by 65532"), () => {
    const files = imageFiles(IMAGE, join(work, "saved"));
    const { arch } = hostArch();
    const triplet = arch === "amd64" ? "x86_64-linux-gnu" : "aarch64-linux-gnu";
    const loader = arch === "amd64" ? ["lib64", "ld-linux-x86-64.so.2"] : ["lib", "ld-linux-aarch64.so.1"];
    const paths = files.map((f) => f.split(" ")[2]!).sort();
    expect(paths).toEqual(
      [
        "etc",
        "etc/group",
        "etc/passwd",
        "lib",
        `lib/${triplet}`,
        ...["libc.so.6", "libdl.so.2", "libm.so.6", "libpthread.so.0", loader[1]!].map((l) => `lib/${triplet}/${l}`),
        ...(loader[0] === "lib" ? [] : [loader[0]!]),
        `${loader[0]}/${loader[1]}`,
        "tmp",
        "usr",
        "usr/local",
        "usr/local/bin",
        "usr/local/bin/immich-job-daemon",
        "var",
        "var/lib",
        "var/lib/immich-job-daemon",
      ].sort(),
    );
    // The binary loads nothing the image lacks: its NEEDED entries are all there.
    const needed = [...Bun.spawnSync(["readelf", "-d", ensureBinary()], { stdout: "pipe" }).stdout.toString().matchAll(/\(NEEDED\)\s+Shared library: \[(\S+)\]/g)].map((m) => m[1]!);
    expect(needed.length).toBeGreaterThan(0);
    for (const lib of needed) expect(paths).toContain(`lib/${triplet}/${lib}`);
    const entry = (p: string) => files.find((f) => f.endsWith(` ${p}`))!;
    expect(entry("var/lib/immich-job-daemon")).toMatch(new RegExp(`^d\\S+ ${UID}/${UID} `));
    expect(entry("tmp")).toStartWith("drwxrwxrwt 0/0 ");
    expect(entry("usr/local/bin/immich-job-daemon")).toStartWith("-rwxr-xr-x 0/0 ");
  });

  test.skipIf(why !== undefined)(name("its configuration: user 65532, the original defaults, SIGTERM, the binary's healthcheck, OCI labels"), () => {
    const [info] = JSON.parse(dockerOk(["image", "inspect", IMAGE])) as {
      Architecture: string;
      Size: number;
      Config: { User: string; Env: string[]; StopSignal: string; Healthcheck: { Test: string[] }; Entrypoint: string[]; Cmd: string[]; Labels: Record<string, string>; Volumes: Record<string, unknown>; ExposedPorts?: unknown };
    }[];
    const c = info!.Config;
    expect(info!.Architecture).toBe(hostArch().arch);
    expect(c.User).toBe(`${UID}:${UID}`);
    for (const e of ["IMMICH_URL=http://127.0.0.1:2283", "MAX_CONCURRENT_JOBS=1", "POLL_INTERVAL=10", "STATE_DIRECTORY=/var/lib/immich-job-daemon"]) expect(c.Env).toContain(e);
    expect(c.StopSignal).toBe("SIGTERM");
    expect(c.Healthcheck.Test).toEqual(["CMD", "/usr/local/bin/immich-job-daemon", "healthcheck"]);
    expect(c.Entrypoint).toEqual(["/usr/local/bin/immich-job-daemon"]);
    expect(c.Cmd).toEqual(["run"]);
    expect(Object.keys(c.Volumes)).toEqual(["/var/lib/immich-job-daemon"]);
    expect(c.ExposedPorts).toBeUndefined();
    expect(c.Labels["org.opencontainers.image.version"]).toBe(version);
    expect(c.Labels["org.opencontainers.image.licenses"]).toBe("MIT");
    expect(c.Labels["org.opencontainers.image.source"]).toBe(SOURCE);
    figures.size = `${(info!.Size / 1e6).toFixed(1)} MB`;
  });

  test.skipIf(why !== undefined)(name("--version answers from the container, with no network"), () => {
    const r = docker(["run", "--rm", "--network", "none", IMAGE, "--version"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
    figures.version = `${(r.ms / 1000).toFixed(2)} s`;
  });

  test.skipIf(why !== undefined)(name("without API_KEY it exits 2 with the binary's configuration error and sends nothing"), () => {
    const before = sim.requests.length;
    const r = docker(["run", "--rm", "--network", "host", "-e", `IMMICH_URL=${sim.url}`, IMAGE]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    // The same words the binary prints outside a container.
    const host = Bun.spawnSync([ensureBinary(), "run"], { env: { IMMICH_URL: sim.url }, stdout: "pipe", stderr: "pipe" });
    expect(r.stderr).toBe(host.stderr.toString());
    expect(r.stderr).toContain("API_KEY is not set");
    expectNoStackTrace(r);
    expect(sim.requests.length).toBe(before);
  });

  test.skipIf(why !== undefined)(name("time-zone names resolve in the image, which has no zoneinfo: windows as the binary outside shows them; an unknown zone is exit 2"), async () => {
    const env = { IMMICH_URL: sim.url, API_KEY: KEYS.daemon, WINDOWS: "ml=22:00-06:00; library=Sat,Sun 01:00-05:00", TZ: "Pacific/Kiritimati" };
    const flags = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    const windows = (json: string) => (JSON.parse(json) as { queues: { name: string; window: unknown }[] }).queues.map((q) => [q.name, q.window]).sort();
    const host = Bun.spawn([ensureBinary(), "status", "--json"], { env, stdout: "pipe", stderr: "pipe" });
    const [inside, outside] = await Promise.all([dockerAsync(["run", "--rm", "--network", "host", ...flags, IMAGE, "status", "--json"]), new Response(host.stdout).text()]);
    expect(inside.stderr).toBe("");
    expect(inside.code).toBe(0);
    expect(windows(inside.stdout)).toEqual(windows(outside));
    expect(windows(inside.stdout).filter(([, w]) => w !== null).length).toBe(6);

    const bad = await dockerAsync(["run", "--rm", "--network", "host", ...flags, "-e", "TZ=Mars/Olympus", IMAGE, "once"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('TZ="Mars/Olympus"');
  });

  test.skipIf(why !== undefined)(
    name("a run as uid 65532, read-only, no capabilities: holds the image's cap of 1, is healthy, and docker stop resumes everything, exit 0 within 2 s"),
    async () => {
      const c = container("run");
      const run = spawnProcess(
        ["docker", "run", "--name", c, "--network", "host", "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
          "--health-interval", "1s", "--health-start-period", "0s",
          "-e", `IMMICH_URL=${sim.url}`, "-e", `API_KEY=${KEYS.daemon}`, "-e", "POLL_INTERVAL=0.2", IMAGE],
        { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      );
      await run.waitForOutput("connected to Immich", 30_000);
      // At rest every managed queue is paused (release) but metadataExtraction, standing by
      // for uploads (rule 12); then work arrives in several queues.
      const idle = sim.pausable().filter((q) => q !== "metadataExtraction").sort();
      await waitUntil(() => sim.managedPaused().sort().join() === idle.join(), "the managed queues paused at rest", 10_000);
      sim.sim.engine.upload({ photos: 30, videos: 2 });

      // The process itself: uid 65532, no capabilities, no new privileges, "/" mounted read-only.
      const pid = Number((await dockerAsync(["inspect", "-f", "{{.State.Pid}}", c])).stdout.trim());
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      expect(status).toMatch(new RegExp(`^Uid:\\s+${UID}\\s+${UID}\\s+${UID}\\s+${UID}$`, "m"));
      expect(status).toMatch(new RegExp(`^Gid:\\s+${UID}\\s+${UID}\\s+${UID}\\s+${UID}$`, "m"));
      for (const set of ["CapPrm", "CapEff", "CapBnd", "CapAmb"]) expect(status).toMatch(new RegExp(`^${set}:\\s+0{16}$`, "m"));
      expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
      const rootMount = readFileSync(`/proc/${pid}/mountinfo`, "utf8").split("\n").find((l) => l.split(" ")[4] === "/");
      expect(rootMount!.split(" ")[5]!.split(",")).toContain("ro");
      expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]).toBe("/usr/local/bin/immich-job-daemon");

      // Docker runs the image's HEALTHCHECK (the binary's `healthcheck`) and finds it healthy.
      const health = async () =>
        JSON.parse((await dockerAsync(["inspect", "-f", "{{json .State.Health}}", c])).stdout) as { Status: string; Log: { ExitCode: number; Output: string }[] };
      let seen = await health();
      const deadline = performance.now() + 30_000;
      while (seen.Status !== "healthy" && performance.now() < deadline) seen = await health();
      expect(seen.Status).toBe("healthy");
      expect(seen.Log.at(-1)!.ExitCode).toBe(0);
      expect(seen.Log.at(-1)!.Output).toStartWith("healthy:");

      // Work moves from queue to queue, never more than one managed queue at a time.
      const managed = sim.managed();
      const ranSoFar = () => Object.entries(activeTime(sim.sim.engine.recording())).filter(([q, ms]) => managed.includes(q) && ms > 0).length;
      await waitUntil(() => ranSoFar() >= 2, "two managed queues run, one after the other", 60_000, 50);
      expect(maxActiveQueues(sim.sim.engine.recording(), managed)).toBe(1);
      expect(sim.managedPaused().length).toBeGreaterThan(0);

      const stop = await dockerAsync(["stop", "-t", "10", c]);
      expect(stop.code).toBe(0);
      const exit = await run.exited;
      expect(exit.code).toBe(0);
      expect((await dockerAsync(["inspect", "-f", "{{.State.ExitCode}} {{.State.OOMKilled}}", c])).stdout.trim()).toBe("0 false");
      expect(stop.ms).toBeLessThan(2_000);
      expect(sim.managedPaused()).toEqual([]);
      expect(exit.stderr).not.toContain(" ERROR ");
      figures.stop = `${(stop.ms / 1000).toFixed(2)} s`;
    },
  );

  // Issue 16 item 2: the daemon is the container's PID 1 (no init), and the
  // kernel drops every signal PID 1 has no handler for, so the signals no Bun
  // program can catch (SIGSTKFLT, the real-time ones) do nothing in the image;
  // any other terminating one is the graceful stop (128 + n when it is not a
  // stop request).
  test.skipIf(why !== undefined)(
    name("docker kill: SIGSTKFLT and the real-time signals do nothing to PID 1; SIGALRM resumes everything and exits 142"),
    async () => {
      const c = container("signals");
      const run = spawnProcess(
        ["docker", "run", "--name", c, "--network", "host", "--read-only", "--cap-drop", "ALL",
          "-e", `IMMICH_URL=${sim.url}`, "-e", `API_KEY=${KEYS.daemon}`, "-e", "POLL_INTERVAL=0.2", IMAGE],
        { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      );
      await run.waitForOutput("connected to Immich", 30_000);
      await waitUntil(() => sim.managedPaused().length >= sim.pausable().length - 1, "the managed queues paused but one", 10_000);
      for (const sig of ["SIGSTKFLT", "SIGRTMIN", "SIGRTMIN+5", "SIGRTMAX"]) {
        expect((await dockerAsync(["kill", "-s", sig, c])).code).toBe(0);
      }
      const seen = sim.requests.length;
      await waitUntil(() => sim.requests.length > seen + 2, "polls after the signals", 10_000);
      expect((await dockerAsync(["inspect", "-f", "{{.State.Running}}", c])).stdout.trim()).toBe("true");
      // Still managing at its cap of 1: the earlier tests' uploads may move the one running queue
      // from stage to stage meanwhile, so which one it is may change; how many may not.
      expect(sim.managedPaused().length).toBeGreaterThanOrEqual(sim.pausable().length - 1);

      expect((await dockerAsync(["kill", "-s", "SIGALRM", c])).code).toBe(0);
      const exit = await run.exited;
      expect(exit.code).toBe(142);
      expect(exit.stdout).toContain("SIGALRM received: stopping (not a stop request: exit code 142");
      expect(sim.managedPaused()).toEqual([]);
    },
  );
});

// The same Dockerfile for arm64 (TARGETARCH=arm64): its final stage built from
// a context with the arm64 binary and Debian's arm64 C library
// (libc6-arm64-cross), the image's own files unpacked and run under
// qemu-aarch64-static with nothing but them as the root. The classic builder
// here cannot mark a FROM scratch image arm64 (BuildKit's `buildx --platform`
// does), so this checks the files, not the label.
const ARM64_LIBS = "/usr/aarch64-linux-gnu/lib";
const whyArm =
  why ??
  (!Bun.which("qemu-aarch64-static")
    ? "no qemu-aarch64-static (Debian's qemu-user-static)"
    : !existsSync(join(ARM64_LIBS, "libc.so.6"))
      ? `no arm64 glibc in ${ARM64_LIBS} (Debian's libc6-arm64-cross)`
      : process.arch !== "x64"
        ? "this check cross-builds from x64"
        : undefined);

describe("the arm64 image", () => {
  let work = "";
  let sim: E2ESim;
  const tag = `immich-job-daemon:test-arm64-${process.pid}`;

  beforeAll(async () => {
    if (whyArm) return;
    work = mkdtempSync(join(tmpdir(), "ijd-image-arm64-"));
    const binary = join(work, "immich-job-daemon");
    const b = Bun.spawnSync([process.execPath, "scripts/build.ts", "--target", "bun-linux-arm64", "--outfile", binary], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    if (b.exitCode !== 0) throw new Error(`arm64 build failed: ${b.stderr.toString()}`);
    assembleContext(join(work, "context"), binary, "arm64", ARM64_LIBS);
    dockerOk(["build", "-q", "-t", tag, join(work, "context")], 300_000);
    imageFiles(tag, join(work, "saved"));
    // The layers, unpacked in order: the image's file system.
    mkdirSync(join(work, "root"));
    const manifest = JSON.parse(readFileSync(join(work, "saved", "manifest.json"), "utf8")) as { Layers: string[] }[];
    for (const layer of manifest[0]!.Layers) Bun.spawnSync(["tar", "-xf", join(work, "saved", layer), "-C", join(work, "root")]);
    sim = await startE2ESim({ speed: 10 });
  });

  afterAll(async () => {
    if (whyArm) return;
    docker(["rmi", tag]);
    await sim?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test.skipIf(whyArm !== undefined)(whyArm ? `its files run --version and once under qemu (skipped: ${whyArm})` : "its files run --version and once under qemu", async () => {
    const root = join(work, "root");
    const files = Bun.spawnSync(["find", ".", "-type", "f"], { cwd: root, stdout: "pipe" }).stdout.toString().trim().split("\n").sort();
    expect(files).toEqual(
      ["./etc/group", "./etc/passwd", "./usr/local/bin/immich-job-daemon", ...["ld-linux-aarch64.so.1", "libc.so.6", "libdl.so.2", "libm.so.6", "libpthread.so.0"].map((l) => `./lib/aarch64-linux-gnu/${l}`)].sort(),
    );
    const qemu = (args: string[], env: Record<string, string>) => spawnProcess(["qemu-aarch64-static", "-L", root, join(root, "usr/local/bin/immich-job-daemon"), ...args], env).exited;
    const version = await qemu(["--version"], { PATH: "/usr/bin:/bin" });
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(Bun.spawnSync([ensureBinary(), "--version"], { stdout: "pipe" }).stdout.toString().trim());
    const once = await qemu(["once"], { IMMICH_URL: sim.url, API_KEY: KEYS.daemon });
    expect(once.code).toBe(0);
    expect(sim.managedPaused().length).toBe(sim.pausable().length - 1); // all but metadataExtraction (rule 12)
  });
});
