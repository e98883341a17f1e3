// The `simulator` command: flags, the one listening line, bad input as one
// line with exit code 2, and a clean stop on SIGINT/SIGTERM (the latter
// through the real entry point in a child process).

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { simulatorCommand } from "../../src/cli/simulator-command.ts";
import { parseSimulatorArgs } from "../../src/cli/simulator-options.ts";

const ROOT = join(import.meta.dir, "../..");
const BUN = process.execPath;

async function run(argv: string[], abortAfterListening = true) {
  const out: string[] = [];
  const err: string[] = [];
  const stop = new AbortController();
  let url: string | undefined;
  const code = await simulatorCommand(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    signal: stop.signal,
    randomKey: () => "generated-key",
    onListening: async (info) => {
      url = info.url;
      if (abortAfterListening) {
        // Prove it serves before stopping it.
        const res = await fetch(`${info.url}/api/server/ping`);
        out.push(`ping ${res.status}`);
        stop.abort();
      }
    },
  });
  return { code, out, err, url };
}

describe("simulator command", () => {
  test("starts on a free port, prints one line with the URL and the key, stops on abort", async () => {
    const r = await run(["--port", "0", "--profile", "v2.7", "--scenario", "import", "--speed", "100"]);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out[0]).toMatch(
      /^Immich simulator v2\.7 listening on http:\/\/127\.0\.0\.1:\d+ \(scenario import, speed 100x\) - API key: generated-key$/,
    );
    expect(r.out[0]).toContain(r.url ?? "?");
    expect(r.out.at(-1)).toBe("ping 200");
    // The port is released.
    await expect(fetch(`${r.url}/api/server/ping`)).rejects.toThrow();
  });

  test("flags become options", () => {
    const opts = parseSimulatorArgs(
      [
        "--port=0",
        "--api-key",
        "boss=abc",
        "--key",
        "daemon=k1:queue.read,queue.update",
        "--key",
        "person=k2:all:user",
        "--seed",
        "42",
        "--latency",
        "25",
        "--error-rate",
        "0.1",
        "--garbage-rate=0.05",
        "--reset-rate",
        "0.01",
        "--partial-rate=0.2",
        "--partial-keep",
        "0",
        "--html",
        "--maintenance",
      ],
      () => "unused",
    );
    expect(opts).toEqual({
      port: 0,
      seed: 42,
      keys: [
        { key: "abc", label: "boss", admin: true, scopes: ["all"] },
        { key: "k1", label: "daemon", admin: true, scopes: ["queue.read", "queue.update"] },
        { key: "k2", label: "person", admin: false, scopes: ["all"] },
      ],
      faults: { latencyMs: 25, errorRate: 0.1, garbageRate: 0.05, resetRate: 0.01, partialRate: 0.2, partialKeep: 0, htmlRate: 1, maintenance: true },
    });
    // Defaults: Immich's port, a generated admin key.
    expect(parseSimulatorArgs([], () => "rnd")).toEqual({
      port: 2283,
      keys: [{ key: "rnd", label: "admin", admin: true, scopes: ["all"] }],
      faults: {},
    });
    expect(parseSimulatorArgs(["-h"], () => "x")).toBe("help");
  });

  test.each([
    [["--profile", "v9"], 'unknown profile "v9"; use one of v1.137, v2.3, v2.7, v3.1'],
    [["--scenario", "party"], 'unknown scenario "party"; use one of import, backlog, nightly, idle'],
    [["--bogus"], "unknown option --bogus; see --help"],
    [["extra"], 'unexpected argument "extra"; see --help'],
    [["--port"], "--port needs a value; see --help"],
    [["--port", "70000"], '--port "70000" is not a whole number from 0 to 65535'],
    [["--port", "12a"], '--port "12a" is not a whole number from 0 to 65535'],
    [["--speed", "0"], '--speed "0" is not a positive number; e.g. --speed 100'],
    [["--error-rate", "1.5"], '--error-rate "1.5" is not a share between 0 and 1; e.g. --error-rate 0.1'],
    [["--html=1"], "--html takes no value"],
    [["--key", "a:b:c:d"], '--key "a:b:c:d": too many ":" parts'],
    [["--key", "k:Job.READ"], '--key "k:Job.READ": bad scope "Job.READ"'],
    [["--api-key", "x", "--key", "x"], 'the key "x" is given twice; give each key once'],
  ])("bad input %j: one line, exit 2", async (argv, message) => {
    const r = await run(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toStartWith(`immich-job-daemon simulator: ${message}`);
  });

  test("--help documents the flags and the control endpoint", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    const text = r.out.join("\n");
    for (const s of ["--port", "--profile", "--api-key", "--key", "--scenario", "--speed", "--latency", "--error-rate", "--garbage-rate", "--html", "--reset-rate", "--maintenance", "/__simulator/uploads", "/__simulator/faults", "/__simulator/restart", "/__simulator/redis-loss", "/__simulator/recording", "/__simulator/state"]) {
      expect(text).toContain(s);
    }
  });
});

/** Starts `bun src/main.ts simulator ...` and waits for its listening line. */
async function spawnSimulator(args: string[]) {
  const proc = Bun.spawn([BUN, "src/main.ts", "simulator", ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const reader = proc.stdout.getReader();
  let buffered = "";
  while (!buffered.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return { proc, line: buffered.split("\n")[0] ?? "" };
}

describe("simulator through the entry point", () => {
  test.each(["SIGINT", "SIGTERM"] as const)("stops cleanly on %s with exit code 0", async (signal) => {
    const { proc, line } = await spawnSimulator(["--port", "0", "--api-key", "k"]);
    const url = /listening on (\S+)/.exec(line)?.[1];
    expect(url).toBeDefined();
    const res = await fetch(`${url}/api/jobs`, { headers: { "x-api-key": "k" } });
    expect(res.status).toBe(200);
    proc.kill(signal);
    expect(await proc.exited).toBe(0);
    expect(await new Response(proc.stderr).text()).toBe("");
  });

  test("a port in use: one line, exit code 2", async () => {
    const { proc: first, line } = await spawnSimulator(["--port", "0"]);
    const port = /:(\d+) /.exec(line)?.[1];
    const second = Bun.spawn([BUN, "src/main.ts", "simulator", "--port", String(port)], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    expect(await second.exited).toBe(2);
    const err = await new Response(second.stderr).text();
    expect(err).toBe(`immich-job-daemon simulator: port ${port} on 127.0.0.1 is already in use; pick another with --port (0 picks a free one)\n`);
    first.kill("SIGTERM");
    expect(await first.exited).toBe(0);
  });

  test("an unknown command: one line, exit code 2", async () => {
    const proc = Bun.spawn([BUN, "src/main.ts", "frobnicate"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    expect(await proc.exited).toBe(2);
    const err = await new Response(proc.stderr).text();
    expect(err).toStartWith('immich-job-daemon: unknown command "frobnicate"');
    expect(err.trimEnd().split("\n")).toHaveLength(1);
  });
});
