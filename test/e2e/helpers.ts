// The compiled binary as a real child process: where it is (built once if
// missing, older than the sources or of another commit, so `bun test
// test/e2e` never tests stale code), spawning it with an explicit environment (never the developer's),
// reading its output while it runs, signalling it, timing its exit, and the
// check made on every exit of every test that nothing printed a stack trace.
//
// Waiting is always for a condition (an output line, a count, an exit) with a
// tight deadline, polled every few milliseconds: never a fixed sleep.

import { expect } from "bun:test";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import pkg from "../../package.json" with { type: "json" };
import { gitFacts } from "../../scripts/git-facts.ts";
import { checkoutVersion } from "../../scripts/release-lib.ts";

export const ROOT = join(import.meta.dir, "../..");
export const BINARY = process.env.E2E_BINARY ?? join(ROOT, "dist/immich-job-daemon");

/** Newest modification time among the files the binary is built from. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(ROOT, "src"));
  for (const f of ["package.json", "scripts/build.ts"]) newest = Math.max(newest, statSync(join(ROOT, f)).mtimeMs);
  return newest;
}

let ensured = false;
/**
 * Builds dist/immich-job-daemon when it is missing, older than the sources,
 * or says another version than a build of this checkout would (a commit
 * since: the version names it), so that tests comparing it with a binary
 * they build agree (scripts/test.sh builds first, so there this is a no-op).
 * An explicit E2E_BINARY is used as given.
 */
export function ensureBinary(): string {
  if (ensured || process.env.E2E_BINARY) return BINARY;
  const stale = () => {
    if (!existsSync(BINARY) || statSync(BINARY).mtimeMs < newestSource()) return true;
    const said = Bun.spawnSync([BINARY, "--version"], { stdout: "pipe", stderr: "ignore" }).stdout.toString().trim();
    return said !== checkoutVersion(pkg.version, gitFacts(ROOT, {}));
  };
  if (stale()) {
    const r = Bun.spawnSync([process.execPath, "scripts/build.ts"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`could not build the binary: ${r.stderr.toString()}${r.stdout.toString()}`);
  }
  ensured = true;
  return BINARY;
}

/**
 * A TMPDIR of this test run's own, so `run`'s heartbeat file (HEALTH_FILE
 * defaults to $TMPDIR/...) never lands in, or is read from, the machine's
 * /tmp, nor another run's (two checkouts testing at once on one machine saw
 * each other's live daemons in `status`). Named by the runner's pid; Bun's
 * test runner fires no exit hook to remove it, so each run removes the
 * directories of runs whose process is gone. Tests that read a heartbeat use
 * their own.
 */
const E2E_PREFIX = "immich-job-daemon-e2e-";
export const E2E_TMPDIR = join(tmpdir(), `${E2E_PREFIX}${process.pid}`);
for (const name of readdirSync(tmpdir())) {
  const pid = Number(name.slice(E2E_PREFIX.length));
  if (!name.startsWith(E2E_PREFIX) || !Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
  rmSync(join(tmpdir(), name), { recursive: true, force: true });
}
mkdirSync(E2E_TMPDIR, { recursive: true });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The only variables a child inherits are PATH and HOME; TMPDIR is the run's
 * own (above). Everything else is given explicitly.
 */
export function cleanEnv(vars: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = { TMPDIR: E2E_TMPDIR };
  if (process.env.PATH) env.PATH = process.env.PATH;
  if (process.env.HOME) env.HOME = process.env.HOME;
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
  return env;
}

/** Polls `done` every `everyMs` until it holds; throws `what` after `timeoutMs`. */
export async function waitUntil(done: () => boolean, what: string, timeoutMs = 5_000, everyMs = 5): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(everyMs);
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | number | null;
  stdout: string;
  stderr: string;
  /** Real milliseconds from the last signal sent (or the spawn) to the exit. */
  ms: number;
}

/** A running child: the binary, or a wrapper around it (unshare, chroot). */
export interface Daemon {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once `pattern` appears in stdout+stderr (checked as output arrives). */
  waitForOutput(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
  /** Sends a signal and notes the time (Exit.ms counts from the last one). */
  signal(sig: NodeJS.Signals): void;
  /** Notes the time, for a signal sent some other way (to a grandchild). */
  mark(): void;
  /** The exit, with the whole output. */
  exited: Promise<Exit>;
}

const running = new Set<Subprocess>();

/** For afterEach: kills (by handle) any child a failed test left running. */
export function killLeftovers(): void {
  for (const p of running) p.kill("SIGKILL");
  running.clear();
}

/** Starts the binary with `args`, exactly `env` (see cleanEnv) and `cwd`. */
export function spawnBinary(args: string[], env: Record<string, string>, cwd?: string): Daemon {
  return spawnProcess([ensureBinary(), ...args], env, cwd);
}

/** Starts any command (e.g. the binary under unshare) with exactly `env`, output captured. */
export function spawnProcess(cmd: string[], env: Record<string, string>, cwd?: string): Daemon {
  const proc = Bun.spawn(cmd, { env, cwd: cwd ?? ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  running.add(proc);
  let out = "";
  let err = "";
  let mark = performance.now();
  const pump = async (stream: ReadableStream<Uint8Array>, onText: (t: string) => void) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }));
    onText(decoder.decode());
  };
  const pumps = Promise.all([pump(proc.stdout, (t) => (out += t)), pump(proc.stderr, (t) => (err += t))]);
  let done = false;
  const exited = (async (): Promise<Exit> => {
    await proc.exited;
    const ms = performance.now() - mark;
    running.delete(proc);
    await pumps;
    done = true;
    const exit: Exit = { code: proc.exitCode, signal: proc.signalCode, stdout: out, stderr: err, ms };
    // Every exit of every test is held to this, whatever else the test checks.
    expectNoStackTrace(exit);
    return exit;
  })();
  // A test that never awaits the exit (it failed earlier) must not leave an unhandled rejection.
  exited.catch(() => {});
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    async waitForOutput(pattern, timeoutMs = 5_000) {
      const found = () => (typeof pattern === "string" ? (out + err).includes(pattern) : pattern.test(out + err));
      await waitUntil(() => found() || done, `output ${String(pattern)}`, timeoutMs);
      if (!found()) {
        throw new Error(`the binary exited (code ${proc.exitCode}) before printing ${String(pattern)}:\n${out}${err}`);
      }
    },
    signal(sig) {
      mark = performance.now();
      proc.kill(sig);
    },
    mark() {
      mark = performance.now();
    },
    exited,
  };
}

/** Runs the binary to its end (at most `timeoutMs`). */
export async function runBinary(args: string[], env: Record<string, string>, opts: { cwd?: string; timeoutMs?: number } = {}): Promise<Exit> {
  const d = spawnBinary(args, env, opts.cwd);
  const timer = setTimeout(() => d.proc.kill("SIGKILL"), opts.timeoutMs ?? 10_000);
  const exit = await d.exited;
  clearTimeout(timer);
  return exit;
}

/** Non-empty lines of a stream's text. */
export const lines = (text: string): string[] => text.split("\n").filter((l) => l.trim() !== "");

/**
 * No stack trace and nothing from Bun's own error printer: no "    at " frames,
 * no "error: " or "TypeError: " lines (Bun's uncaught-error format), no
 * source excerpts ("12 | code"), no "Bun v1.x (Linux x64)" footer or crash
 * report.
 */
export function expectNoStackTrace(exit: Pick<Exit, "stdout" | "stderr">): void {
  for (const text of [exit.stdout, exit.stderr]) {
    expect(text).not.toMatch(/^\s+at\s/m);
    expect(text).not.toMatch(/^error: /m);
    expect(text).not.toMatch(/^[A-Z]\w*Error: /m);
    expect(text).not.toMatch(/^\s*\d+ \| /m);
    expect(text).not.toMatch(/panic\(|oh no: Bun has crashed|Bun v\d+\.\d+\.\d+ \(/);
  }
}
