// What can be checked of the shipping files without a Docker engine: the
// systemd unit with systemd's own analyzer, the Dockerfile's and the compose
// file's promises (non-root, health check by the binary, SIGTERM, the state
// volume, the variables the daemon knows), and that what the Dockerfile
// copies exists.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ENV_NAMES } from "../../src/config/schema.ts";

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
    expect(dockerfile).toMatch(/ca-certificates/);
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
