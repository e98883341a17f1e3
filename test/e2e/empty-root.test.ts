// DESIGN.md §6: the glibc binary runs in an otherwise empty root filesystem
// holding only itself, the C library's few files (libc, libdl, libm,
// libpthread, the loader) and a mounted /proc: what a minimal image copies.
// Checked in a private mount namespace (unshare) with chroot, as the image's
// non-root user (uid 65532), against the simulator on loopback. Needs root
// and unshare/chroot; elsewhere the tests skip themselves and say why.

import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { existsSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, chownSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cleanEnv, ensureBinary, type Exit, spawnProcess, waitUntil } from "./helpers.ts";
import { type E2ESim, KEYS, startE2ESim } from "./helpers-sim.ts";

// Real processes on a loaded 2-core machine: more than Bun's default 5 s
// (bunfig.toml's [test] timeout is not applied by Bun 1.4.5).
setDefaultTimeout(15_000);

const UID = 65532;
const IN_ROOT = "/usr/local/bin/immich-job-daemon";
const STATE_DIR = "/var/lib/immich-job-daemon";

/** Why the check cannot run here, or undefined if it can. */
function cannotRun(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "needs root for unshare and chroot";
  for (const tool of ["unshare", "chroot", "ldd", "mount"]) if (!Bun.which(tool)) return `${tool} is not installed`;
  const probe = Bun.spawnSync(["unshare", "--mount", "--fork", "true"], { stdout: "ignore", stderr: "ignore" });
  if (probe.exitCode !== 0) return "unshare --mount is not permitted here (a container without CAP_SYS_ADMIN?)";
  return undefined;
}

/** The shared libraries `ldd` lists for the binary (absolute paths; the vDSO has none). */
function sharedLibraries(binary: string): string[] {
  const out = Bun.spawnSync(["ldd", binary], { stdout: "pipe" }).stdout.toString();
  return out
    .split("\n")
    .map((l) => /=>\s+(\/\S+)/.exec(l)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined);
}

const why = cannotRun();
const name = (what: string) => (why ? `${what} (skipped: ${why})` : what);

describe("the binary alone in an empty root", () => {
  let root = "";
  let sim: E2ESim;

  beforeAll(async () => {
    if (why) return;
    const binary = ensureBinary();
    root = mkdtempSync(join(tmpdir(), "ijd-e2e-root-"));
    chmodSync(root, 0o755); // mkdtemp makes it 0700: uid 65532 could not enter "/"
    const at = (path: string) => (mkdirSync(dirname(join(root, path)), { recursive: true }), join(root, path));
    try {
      linkSync(binary, at(IN_ROOT)); // same file system: no 100 MB copy
    } catch {
      copyFileSync(binary, at(IN_ROOT));
    }
    // copyFileSync follows symlinks: the root gets the files, not links to the host's.
    for (const lib of sharedLibraries(binary)) copyFileSync(lib, at(lib));
    mkdirSync(join(root, "proc"));
    // The image's base has a /tmp, where `run` keeps its heartbeat for `healthcheck`.
    mkdirSync(join(root, "tmp"));
    chmodSync(join(root, "tmp"), 0o1777);
    mkdirSync(join(root, STATE_DIR), { recursive: true });
    chownSync(join(root, STATE_DIR), UID, UID);
    sim = await startE2ESim({ speed: 10 });
  });

  afterAll(async () => {
    if (why) return;
    await sim.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /**
   * The binary in the root, as uid 65532, with /proc bind-mounted in a
   * private mount namespace (gone when the process ends). `exec` all the way
   * down, so the binary is unshare's only child.
   */
  const inRoot = (args: string[], env: Record<string, string>) => {
    const script = `mount --bind /proc "$ROOT/proc" && exec chroot --userspec=${UID}:${UID} "$ROOT" ${IN_ROOT} "$@"`;
    return spawnProcess(["unshare", "--mount", "--fork", "--kill-child", "--", "/bin/sh", "-c", script, "sh", ...args], { ...env, ROOT: root });
  };

  const noLdd = process.platform !== "linux" || !Bun.which("ldd");
  test.skipIf(noLdd)(`it needs only libc, libdl, libm, libpthread and the loader${noLdd ? " (skipped: no ldd)" : ""}`, () => {
    const names = sharedLibraries(ensureBinary()).map((l) => l.split("/").at(-1)!).sort();
    expect(names.filter((n) => !/^(libc|libdl|libm|libpthread)\.so\.\d+$|^ld-linux[-\w]*\.so\.\d+$/.test(n))).toEqual([]);
    expect(names.some((n) => n.startsWith("ld-linux"))).toBe(true);
  });

  test.skipIf(why !== undefined)(name("--version, `once` and a graceful `run` work there as a non-root user"), async () => {
    const version = await inRoot(["--version"], cleanEnv()).exited;
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);

    const env = cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon, POLL_INTERVAL: "0.2", STATE_DIRECTORY: STATE_DIR, TMPDIR: "/tmp" });
    const once: Exit = await inRoot(["once"], env).exited;
    expect(once.code).toBe(0);
    // Idle: every managed queue is paused but metadataExtraction, standing by for uploads (rule 12).
    const idle = sim.pausable().filter((q) => q !== "metadataExtraction");
    expect(sim.managedPaused().sort()).toEqual([...idle].sort());
    // The state file, written by uid 65532 in the only writable directory.
    const state = JSON.parse(readFileSync(join(root, STATE_DIR, "state.json"), "utf8")) as { pausedByUs: string[] };
    expect(state.pausedByUs.sort()).toEqual([...idle].sort());

    sim.sim.engine.enqueue("smartSearch", 1_000);
    const run = inRoot(["run"], env);
    await run.waitForOutput("connected to Immich");
    // smartSearch takes the one slot: the standby queue is paused first (rule 12).
    await waitUntil(() => sim.managedPaused().length === sim.pausable().length - 1 && !sim.managedPaused().includes("smartSearch"), "smartSearch resumed in its turn");
    // The image's HEALTHCHECK, run in the same root beside the daemon.
    await waitUntil(() => existsSync(join(root, "tmp", "immich-job-daemon.health.json")), "the first heartbeat");
    const health = await inRoot(["healthcheck"], cleanEnv({ TMPDIR: "/tmp" })).exited;
    expect(health.code).toBe(0);
    expect(health.stdout).toStartWith("healthy:");
    // unshare's only child is the daemon itself (sh and chroot exec'd into it).
    const child = Number(readFileSync(`/proc/${run.proc.pid}/task/${run.proc.pid}/children`, "utf8").trim());
    expect(readFileSync(`/proc/${child}/cmdline`, "utf8")).toStartWith(IN_ROOT);
    run.mark();
    process.kill(child, "SIGTERM");
    const exit = await run.exited;
    expect(exit.code).toBe(0);
    expect(exit.ms).toBeLessThan(2_000);
    expect(sim.managedPaused()).toEqual([]);
    expect(exit.stderr).not.toContain(" ERROR ");
    expect(exit.stderr).not.toContain("heartbeat");
  });

  test.skipIf(why !== undefined)(name("time zones resolve from the binary's own data (no zoneinfo there): WINDOWS in Europe/Berlin"), async () => {
    expect(existsSync(join(root, "usr/share/zoneinfo"))).toBe(false);
    const env = cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon, WINDOWS: "ml=22:00-06:00", TZ: "Europe/Berlin", TMPDIR: "/tmp" });
    const status = await inRoot(["status", "--json"], env).exited;
    expect(status.code).toBe(0);
    const j = JSON.parse(status.stdout) as { queues: { name: string; window: { zone: string; nextChangeAt: number } | null }[] };
    const w = j.queues.find((q) => q.name === "smartSearch")!.window!;
    expect(w.zone).toBe("Europe/Berlin");
    // Berlin's clock, not UTC's: 22:00 or 06:00 there is 20:00, 21:00, 04:00 or 05:00 UTC.
    expect([4, 5, 20, 21]).toContain(new Date(w.nextChangeAt).getUTCHours());
    const bad = await inRoot(["status"], { ...env, TZ: "Europe/Berln" }).exited;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('TZ="Europe/Berln": is not a time zone this daemon knows');
  });
});
