// The `demo` command: flags (bad ones are one line and exit 2), the plain
// and the terminal output end to end in virtual time, and Ctrl-C through the
// real entry point (exit 0, the daemon's exit clean-up done).

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Writable } from "node:stream";
import { runApp } from "../../src/cli/app.ts";
import { demoCommand } from "../../src/cli/demo-command.ts";
import { DEMO_DEFAULTS, parseDemoArgs } from "../../src/demo/options.ts";
import { VirtualClock } from "../../src/shared/clock.ts";

const ROOT = join(import.meta.dir, "../..");

function sink(tty?: { columns: number; rows: number }) {
  let text = "";
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  if (tty) Object.assign(stream, { isTTY: true, ...tty });
  return { stream, text: () => text };
}

/** demoCommand's world: the given streams and clock, nothing read from the machine. */
function commandIO(stdout: Writable, stderr: Writable, clock: VirtualClock, env: Record<string, string> = {}) {
  return {
    env,
    stdout,
    stderr,
    clock,
    signal: new AbortController().signal,
    pid: process.pid,
    readFile: () => "",
    random: () => 0.5,
    createClient: () => {
      throw new Error("the demo makes its own client");
    },
    fetch,
  };
}

/** demoCommand with its world faked: a VirtualClock for real time, moved on whenever everything sleeps. */
async function runCommand(args: string[], opts: { tty?: { columns: number; rows: number }; env?: Record<string, string> } = {}) {
  const out = sink(opts.tty);
  const err = sink();
  const clock = new VirtualClock();
  let code: number | undefined;
  const running = demoCommand(args, commandIO(out.stream, err.stream, clock, opts.env)).then((c) => (code = c));
  while (code === undefined) {
    if (clock.pending === 0) await new Promise((r) => setImmediate(r));
    // Each step is 250 real ms; a task gets 300 ms to sleep again (the pacer's
    // last tick, which ends instead, costs that once).
    else await clock.advance(250, 300);
  }
  await running;
  return { code, out: out.text(), err: err.text() };
}

describe("flags", () => {
  test("defaults, and every flag in both spellings", () => {
    expect(parseDemoArgs([])).toEqual({ ...DEMO_DEFAULTS });
    expect(
      parseDemoArgs(["--speed", "60", "--max=3", "--scenario", "backlog", "--profile=v2.3", "--seed", "9", "--duration", "30", "--scale", "0.2", "--no-color", "--plain"]),
    ).toEqual({ speed: 60, max: 3, scenario: "backlog", profile: "v2.3", seed: 9, duration: 30, scale: 0.2, color: false, plain: true });
    expect(parseDemoArgs(["--max", "1", "-h"])).toBe("help");
  });

  const bad: [string[], RegExp][] = [
    [["--max", "0"], /^--max "0" is not valid: use a whole number from 1 to 19/],
    [["--max", "1.5"], /^--max "1.5" is not valid/],
    [["--speed", "fast"], /^--speed "fast" is not valid: use a number of simulated seconds per real second/],
    [["--speed", "1e3"], /^--speed "1e3" is not valid/],
    [["--speed", "0"], /^--speed "0" is not valid/],
    [["--duration", "-5"], /^--duration "-5" is not valid/],
    [["--scenario", "imprt"], /^--scenario "imprt" is not valid: use one of import, backlog, nightly, idle$/],
    [["--profile", "v4"], /^--profile "v4" is not valid: use one of v1\.137, v2\.3, v2\.7, v3\.1$/],
    [["--seed"], /^--seed needs a value/],
    [["--colour"], /^unknown option --colour; see demo --help$/],
    [["import"], /^unexpected argument "import"; see demo --help$/],
  ];
  test.each(bad)("%p: one line on stderr, exit 2, nothing started", async (args, message) => {
    const out = sink();
    const err = sink();
    const code = await demoCommand(args, commandIO(out.stream, err.stream, new VirtualClock()));
    expect(code).toBe(2);
    expect(out.text()).toBe("");
    const lines = err.text().trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]!.replace(/^immich-job-daemon demo: /, "")).toMatch(message);
  });

  test("through the command line: a bad flag is exit 2", async () => {
    const err = sink();
    const code = await runApp({
      argv: ["demo", "--max", "zero"],
      env: {},
      stdout: sink().stream,
      stderr: err.stream,
      clock: new VirtualClock(),
      signal: new AbortController().signal,
      pid: process.pid,
      readFile: () => "",
      random: () => 0.5,
      fetch,
    });
    expect(code).toBe(2);
    expect(err.text()).toBe('immich-job-daemon demo: --max "zero" is not valid: use a whole number from 1 to 19 (MAX_CONCURRENT_JOBS), e.g. --max 2\n');
  });

  test("--help lists the flags", async () => {
    const r = await runCommand(["--help"]);
    expect(r.code).toBe(0);
    for (const flag of ["--speed", "--max", "--scenario", "--profile", "--seed", "--duration", "--no-color", "--plain"]) expect(r.out).toContain(flag);
  });
});

describe("a whole run in virtual time", () => {
  test("not a terminal: one plain line per change, no escapes, then the summary; exit 0", async () => {
    const r = await runCommand(["--scale", "0.05", "--max", "2"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).not.toContain("\x1b[");
    const lines = r.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^immich-job-daemon demo: simulated Immich v3\.1\.0 at http:\/\/127\.0\.0\.1:\d+, scenario import \(100 photos, 3 videos\), speed 120x, N = 2$/);
    expect(lines).toContain("0:00:10 import starts: 100 photos, 3 videos");
    // metadataExtraction stood by (rule 12): the import starts there with no command; the next queue is resumed.
    // (metadataExtraction and thumbnailGeneration stand by, storageTemplateMigration passes through: the next stages are resumed.)
    expect(lines.some((l) => /^\d:\d\d:\d\d resumed \w+: [\d,]+ jobs? pending and a free slot/.test(l))).toBe(true);
    expect(lines.some((l) => /\| work left ~/.test(l))).toBe(true);
    expect(lines.some((l) => /^\d:\d\d:\d\d slots 2\/2: /.test(l))).toBe(true);
    expect(lines.some((l) => /^\d:\d\d:\d\d exiting; resumed \d+ queues the daemon had paused$/.test(l))).toBe(true);
    expect(r.out).toContain("Summary: import finished");
    expect(r.out).toContain("103 of 103 fully processed");
    expect(r.out).toMatch(/[12] managed queues? active together, N = 2: ✓ never over the cap/);
    expect(r.out).toContain("MAX_CONCURRENT_JOBS=2 npm start");
  });

  test("a terminal: the frame is redrawn in place within its size, in colour unless NO_COLOR", async () => {
    const r = await runCommand(["--scale", "0.02", "--max", "1"], { tty: { columns: 120, rows: 30 } });
    expect(r.code).toBe(0);
    expect(r.out).toContain("\x1b[32m"); // colour
    expect(r.out).toMatch(/\x1b\[\d+F/); // cursor up to redraw
    const frames = r.out.split("\x1b[?2026h").slice(1);
    expect(frames.length).toBeGreaterThan(5);
    const last = frames.at(-1)!.split("\x1b[?2026l")[0]!;
    expect(last).toContain("metadataExtraction");
    expect(r.out).toContain("Summary: import finished");

    const plainColour = await runCommand(["--scale", "0.02", "--max", "1"], { tty: { columns: 120, rows: 30 }, env: { NO_COLOR: "1" } });
    expect(plainColour.out).not.toContain("\x1b[3");
    expect(plainColour.out).toMatch(/\x1b\[\d+F/);
  });
});

describe("through the real entry point", () => {
  test("Ctrl-C (SIGINT) stops it cleanly: the daemon resumes what it paused, summary printed, exit 0", async () => {
    const proc = Bun.spawn([process.execPath, "src/main.ts", "demo", "--speed", "600"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    const reader = proc.stdout.getReader();
    let out = "";
    // Wait for the daemon to have resumed a queue (real I/O: this is a child process).
    while (!/resumed \w+: [\d,]+ jobs? pending/.test(out)) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    proc.kill("SIGINT");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    expect(await proc.exited).toBe(0);
    expect(await new Response(proc.stderr).text()).toBe("");
    expect(out).toContain("Summary: import stopped (Ctrl-C)");
    expect(out).toMatch(/exiting; resumed \d+ queues the daemon had paused/);
  });
});
