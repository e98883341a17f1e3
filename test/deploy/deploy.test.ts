// What can be checked of the shipping files without a Docker engine: the
// systemd unit with systemd's own analyzer, the Dockerfile's and the compose
// file's promises (non-root, health check by the binary, SIGTERM, the state
// volume, the variables the daemon knows), and that what the Dockerfile
// copies exists.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ENV_NAMES } from "../../src/config/variables.ts";

const root = resolve(import.meta.dir, "../..");
const read = (p: string) => readFileSync(join(root, p), "utf8");
const binary = join(root, "dist/immich-job-daemon");

describe("systemd unit", () => {
  const analyzer = Bun.which("systemd-analyze");
  const unit = read("deploy/immich-job-daemon.service");

  test.skipIf(!analyzer || !existsSync(binary))("systemd-analyze verify accepts it and rates its exposure OK (<= 2.0)", () => {
    const dir = mkdtempSync(join(tmpdir(), "ijd-unit-"));
    try {
      // The unit names the installed path; verify checks the binary exists, so point it at the build.
      const path = join(dir, "immich-job-daemon.service");
      writeFileSync(path, unit.replace("/usr/local/bin/immich-job-daemon", binary));
      const verify = Bun.spawnSync([analyzer!, "verify", path], { stderr: "pipe", stdout: "pipe" });
      expect(verify.stderr.toString()).toBe("");
      expect(verify.exitCode).toBe(0);
      const security = Bun.spawnSync([analyzer!, "security", "--offline=yes", path], { stderr: "pipe", stdout: "pipe" });
      const level = /Overall exposure level for \S+: ([\d.]+)/.exec(security.stdout.toString());
      expect(level).not.toBeNull();
      expect(Number(level![1])).toBeLessThanOrEqual(2.0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("it stops with SIGTERM, keeps state in StateDirectory and does not restart on configuration, key or permission errors", () => {
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^StateDirectory=immich-job-daemon$/m);
    expect(unit).toMatch(/^RestartPreventExitStatus=2 3 4$/m);
    expect(unit).toMatch(/^ExecStart=\/usr\/local\/bin\/immich-job-daemon run$/m);
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");

  test("every file it copies from the build context exists", () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/));
    expect(sources.length).toBeGreaterThan(0);
    for (const s of sources) expect(existsSync(join(root, s))).toBe(true);
  });

  test("nothing it copies is excluded by .dockerignore, and the heavy folders are", () => {
    const ignored = read(".dockerignore").split("\n").filter((l) => l && !l.startsWith("#"));
    for (const heavy of ["node_modules", "dist", ".git"]) expect(ignored).toContain(heavy);
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/));
    for (const s of sources) expect(ignored.some((pattern) => s === pattern || new Bun.Glob(pattern).match(s))).toBe(false);
  });

  test("builds with npm ci and the project's build script, runs as a non-root user, checks health with the binary", () => {
    expect(dockerfile).toContain("RUN npm ci");
    expect(dockerfile).toContain("bun scripts/build.ts");
    const user = /^USER (\S+)$/m.exec(dockerfile)?.[1];
    expect(user).toBeDefined();
    expect(user).not.toBe("root");
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n\s+CMD \["\/usr\/local\/bin\/immich-job-daemon", "healthcheck"\]$/m);
    expect(dockerfile).toMatch(/^STOPSIGNAL SIGTERM$/m);
  });

  test("its final stage is FROM scratch, for amd64 and arm64 by TARGETARCH, and without BUILD_VERSION it builds a -dev version (a release passes its tag's)", () => {
    expect([...dockerfile.matchAll(/^FROM (.+)$/gm)].at(-1)![1]).toBe("scratch");
    expect(dockerfile).toMatch(/^ARG TARGETARCH$/m);
    expect(dockerfile).toContain("amd64) bun_target=bun-linux-x64");
    expect(dockerfile).toContain("arm64) bun_target=bun-linux-arm64");
    expect(dockerfile).toContain("ARG BUILD_VERSION=\n");
    expect(dockerfile).toContain('BUILD_VERSION="$BUILD_VERSION" BUILD_REVISION="$REVISION" ./node_modules/.bin/bun scripts/build.ts');
    expect(dockerfile).toContain('org.opencontainers.image.revision="${REVISION}"');
    expect(dockerfile).toContain("sh scripts/image-rootfs.sh");
  });
});

describe("compose example", () => {
  const compose = Bun.YAML.parse(read("deploy/compose.yaml")) as {
    services: Record<string, { environment: Record<string, string>; volumes: string[]; build: string; stop_grace_period: string }>;
  };
  const service = compose.services["immich-job-daemon"]!;

  test("uses only variables the daemon knows, including the shell script's names", () => {
    for (const name of Object.keys(service.environment)) expect(ENV_NAMES as readonly string[]).toContain(name);
    for (const name of ["IMMICH_URL", "API_KEY", "MAX_CONCURRENT_JOBS", "POLL_INTERVAL"]) {
      expect(Object.keys(service.environment)).toContain(name);
    }
  });

  test("keeps the state directory on a volume and builds from this repository", () => {
    expect(service.volumes.some((v) => v.endsWith(":/var/lib/immich-job-daemon"))).toBe(true);
    expect(read("Dockerfile")).toContain("STATE_DIRECTORY=/var/lib/immich-job-daemon");
    expect(existsSync(join(root, "deploy", service.build, "Dockerfile"))).toBe(true);
  });
});

describe("compose example, read by Docker Compose", () => {
  // The compose plugin (`docker compose`) where installed, else Debian's docker-compose.
  const plugin = Bun.which("docker") !== null && Bun.spawnSync(["docker", "compose", "version"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
  const compose = plugin ? ["docker", "compose"] : Bun.which("docker-compose") ? ["docker-compose"] : undefined;
  const why = compose ? undefined : "neither `docker compose` nor docker-compose is installed (.ci/run installs docker-compose)";
  const config = (env: Record<string, string>) =>
    Bun.spawnSync([...compose!, "-f", join(root, "deploy/compose.yaml"), "config"], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmpdir(), ...env },
      stdout: "pipe",
      stderr: "pipe",
    });

  test.skipIf(why !== undefined)(`\`config\` accepts it and resolves the key from the environment${why ? ` (skipped: ${why})` : ""}`, () => {
    const r = config({ IMMICH_JOB_DAEMON_API_KEY: "key-from-env" });
    expect(r.stderr.toString()).not.toMatch(/error|invalid/i);
    expect(r.exitCode).toBe(0);
    const resolved = Bun.YAML.parse(r.stdout.toString()) as {
      services: Record<string, { image: string; build: { context: string }; environment: Record<string, string>; read_only: boolean; cap_drop: string[] }>;
    };
    const service = resolved.services["immich-job-daemon"]!;
    expect(service.environment.API_KEY).toBe("key-from-env");
    expect(service.image).toBe("immich-job-daemon:latest");
    expect(resolve(service.build.context)).toBe(root);
    expect(service.read_only).toBe(true);
    expect(service.cap_drop).toEqual(["ALL"]);
  });

  test.skipIf(why !== undefined)(`without the key it refuses and says which variable to set${why ? ` (skipped: ${why})` : ""}`, () => {
    const r = config({});
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr.toString()).toContain("set IMMICH_JOB_DAEMON_API_KEY in .env");
  });
});
