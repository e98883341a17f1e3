// Nothing from outside reaches a terminal raw (issue 16 item 6): `status`
// against a simulator that reports queues whose names carry escape
// sequences (ESC, OSC with BEL), CR, LF, C1 controls and bidi overrides.
// The table and the JSON show every name, escaped (\xNN / \uNNNN) as the
// text logs do: no line forged, no terminal retitled or recoloured, no
// text reversed.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runApp } from "../../src/cli/app.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { escapeControls } from "../../src/shared/escape.ts";
import { type Simulator, startSimulator } from "../../src/simulator/server.ts";

const KEY = "status-escape-key-0123456789abcdef";
const EVIL = [
  "title\u001b]0;owned\u0007",
  "red\u001b[31mtext\u001b[0m",
  "forged\r\n2026-01-01 ERROR fake line",
  "\u202eevil\u202c",
  "c1\u009b2J\u0085next",
  "bidi\u2066isolate\u2069\u200f",
];
/** Raw controls a terminal acts on, beside the newlines between lines. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ijd-status-escape-"));
  sim = await startSimulator({ clock: new VirtualClock(), keys: [{ key: KEY, label: "daemon", admin: true, scopes: ["all"] }], extraQueues: EVIL });
  sim.engine.enqueue(EVIL[0]!, 3);
});
afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function status(argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const stream = { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream;
  const code = await runApp({
    argv,
    env: { IMMICH_URL: sim.url, API_KEY: KEY, HEALTH_FILE: join(dir, "health.json"), STATE_FILE: join(dir, "state.json") },
    stdout: stream,
    stderr: stream,
    clock: new VirtualClock(),
    signal: new AbortController().signal,
    readFile: () => "",
    random: () => 0.5,
    fetch,
    pid: process.pid,
  });
  return { code, out: out.join("") };
}

test("status: the table shows every hostile queue name escaped, one row each, nothing raw", async () => {
  const { code, out } = await status(["status"]);
  expect(code).toBe(0);
  expect(out).not.toMatch(RAW);
  const lines = out.split("\n");
  for (const name of EVIL) expect(lines.filter((l) => l.startsWith(`${escapeControls(name)} `))).toHaveLength(1);
  expect(lines.some((l) => l.startsWith("2026-01-01 ERROR fake line"))).toBe(false);
});

test("status --json: valid JSON with the names intact, and no raw bidi or C1 character on the terminal", async () => {
  const { code, out } = await status(["status", "--json"]);
  expect(code).toBe(0);
  expect(out).not.toMatch(RAW);
  const names = (JSON.parse(out) as { queues: { name: string }[] }).queues.map((q) => q.name);
  for (const name of EVIL) expect(names).toContain(name);
});
