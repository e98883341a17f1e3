// Every command block of README.md, README.ru.md and docs/*.md is either run
// by a test as written or says why not (test/docs/guide-blocks.ts reads the
// marks), and every fence names its language, so no command hides in an
// unmarked block. The blocks marked "run by test/docs/blocks.test.ts" are run
// here, each against a simulator of its own, with the compiled binary as
// `immich-job-daemon` on PATH and these substitutions (the pages' examples
// stand for the reader's own):
//   - http://192.168.1.10:2283 and http://127.0.0.1:2283: the simulator's URL;
//     your-admin-key and weak-key: its admin key and a key with no job scope;
//   - STATUS_ADDR=8080 and 127.0.0.1:8080: a free port; --port 2283: --port 0;
//   - POLL_INTERVAL=1 in the environment (a block may set its own), so that a
//     daemon's looks come within seconds.
// A ```sh block runs with `sh -e` in the repository's root with IMMICH_URL and
// API_KEY already set (as after the README's `export` line). It must exit 0;
// one that keeps running (the daemon, the simulator) is stopped with SIGTERM,
// a daemon after two looks at the queues, and must then exit 0 with nothing
// left paused. A ```console transcript runs each `$ command` in an empty
// environment (it shows all it needs, POLL_INTERVAL=1 aside) and must print the lines shown, `...`
// standing for any text; one that keeps running is stopped the same way.

import { afterAll, afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Daemon, ensureBinary, type Exit, killLeftovers, lines, ROOT, spawnProcess, waitUntil } from "../e2e/helpers.ts";
import { type E2ESim, KEYS, startE2ESim } from "../e2e/helpers-sim.ts";
import { fences, guideBlocks, lineMatches, transcript } from "./guide-blocks.ts";

setDefaultTimeout(60_000);
afterEach(killLeftovers);

const ME = "test/docs/blocks.test.ts";
const PAGES = [
  "README.md",
  "README.ru.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`),
];
const page = (p: string) => readFileSync(join(ROOT, p), "utf8");
const PROTECTED = ["backgroundTask", "notifications", "backupDatabase", "editor", "workflow", "search"];

describe("every command block is run by a test or says why not", () => {
  test("every fence names its language", () => {
    const bare = PAGES.flatMap((p) => fences(page(p)).filter((f) => f.lang === "").map((f) => `${p}:${f.line}`));
    expect(bare).toEqual([]);
  });

  test("every command block is marked: run by a test that reads its page, or not run with a reason", () => {
    const problems: string[] = [];
    for (const p of PAGES) {
      for (const b of guideBlocks(page(p))) {
        const where = `${p}:${b.line}`;
        if (b.runBy) {
          if (!existsSync(join(ROOT, b.runBy))) problems.push(`${where}: ${b.runBy} does not exist`);
          else if (b.runBy !== ME && !page(b.runBy).includes(p)) problems.push(`${where}: ${b.runBy} never reads ${p}`);
        } else if (b.notRun.length < 15) problems.push(`${where}: neither "run by" nor a reason it is not run`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("the pages do run blocks here: README.md's, README.ru.md's and the docs'", () => {
    const mine = PAGES.filter((p) => guideBlocks(page(p)).some((b) => b.runBy === ME));
    expect(mine).toEqual(expect.arrayContaining(["README.md", "README.ru.md", "docs/configuration.md", "docs/migrating.md", "docs/troubleshooting.md"]));
  });
});

/** A port nothing listens on now. */
function freePort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

function substitute(text: string, sim: E2ESim, port: number): string {
  return text
    .replaceAll("http://192.168.1.10:2283", sim.url)
    .replaceAll("http://127.0.0.1:2283", sim.url)
    .replace(/\byour-admin-key\b/g, KEYS.daemon)
    .replace(/\bweak-key\b/g, KEYS.weak)
    .replaceAll("STATUS_ADDR=8080", `STATUS_ADDR=${port}`)
    .replaceAll("127.0.0.1:8080", `127.0.0.1:${port}`)
    .replaceAll("--port 2283", "--port 0");
}

/** The process a signal should reach: sh's child if it forked one, else sh itself (it exec'd). */
function target(shPid: number): number {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === shPid) return Number(name);
    } catch {
      // gone meanwhile
    }
  }
  return shPid;
}

const looks = (sim: E2ESim) => sim.requests.filter((r) => r.method === "GET" && /^\/api\/(queues|jobs)$/.test(r.path)).length;

/** Runs `sh -e -c text` to its end, or stops it with SIGTERM once it serves or has looked twice. */
async function runToEnd(text: string, env: Record<string, string>, sim: E2ESim): Promise<{ exit: Exit; stopped: boolean }> {
  const d: Daemon = spawnProcess(["sh", "-e", "-c", text], env, ROOT);
  let done = false;
  void d.exited.then(() => (done = true));
  const out = () => d.stdout() + d.stderr();
  const daemon = () => /connected to Immich/.test(out());
  await waitUntil(() => done || daemon() || /listening on http/.test(out()), "the block to end, or to start serving", 30_000);
  if (!done && daemon()) {
    const from = looks(sim);
    await waitUntil(() => done || looks(sim) >= from + 2, "two looks at the queues", 30_000);
  }
  const stopped = !done;
  if (stopped) process.kill(target(d.proc.pid), "SIGTERM");
  return { exit: await d.exited, stopped };
}

const work = mkdtempSync(join(tmpdir(), "ijd-doc-blocks-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

for (const p of PAGES) {
  const blocks = guideBlocks(page(p)).filter((b) => b.runBy === ME);
  if (blocks.length === 0) continue;
  describe(p, () => {
    for (const b of blocks) {
      test(`${p}:${b.line} runs as written: ${b.text.split("\n").at(-1)!.slice(0, 60)}`, async () => {
        const binDir = join(ensureBinary(), "..");
        const sim = await startE2ESim({ speed: 10 });
        const tmp = mkdtempSync(join(work, "t-"));
        const port = freePort();
        const base: Record<string, string> = { PATH: `${binDir}:${process.env.PATH ?? "/usr/bin:/bin"}`, TMPDIR: tmp, POLL_INTERVAL: "1" };
        if (process.env.HOME) base.HOME = process.env.HOME;
        try {
          if (b.lang === "sh") await runSh(b.text, sim, port, { ...base, IMMICH_URL: sim.url, API_KEY: KEYS.daemon });
          else await runTranscript(b.text, sim, port, base);
        } finally {
          await sim.stop();
        }
      });
    }
  });
}

async function legacyPause(sim: E2ESim, queue: string): Promise<number> {
  const res = await fetch(`${sim.url}/api/jobs/${queue}`, {
    method: "PUT",
    headers: { "x-api-key": KEYS.person, "content-type": "application/json" },
    body: JSON.stringify({ command: "pause", force: false }),
  });
  return res.status;
}

async function runSh(text: string, sim: E2ESim, port: number, env: Record<string, string>) {
  const protectedHere = sim.sim.profile.queues.filter((q) => PROTECTED.includes(q));
  const resumesProtected = text.includes("UNSAFE_QUEUES=");
  // The shell script's leftovers (docs/migrating.md): every protected queue paused, as the script
  // does it, with the legacy command (Immich refuses to pause backgroundTask through /api/queues).
  if (resumesProtected) for (const q of protectedHere) expect(await legacyPause(sim, q)).toBeLessThan(300);

  const { exit, stopped } = await runToEnd(substitute(text, sim, port), env, sim);
  const out = exit.stdout + exit.stderr;
  expect({ code: exit.code, out }).toEqual({ code: 0, out: expect.any(String) });

  if (stopped && /connected to Immich/.test(out)) expect(sim.managedPaused()).toEqual([]);
  if (resumesProtected) {
    expect(protectedHere.length).toBeGreaterThan(2);
    const paused = sim.sim.engine.list().filter((q) => q.isPaused && PROTECTED.includes(q.name));
    expect(paused.map((q) => q.name)).toEqual([]);
  }
  if (text.includes(" status")) expect(out).toContain("metadataExtraction");
  if (text.includes("ML_URL=http://gpu-desktop:3003")) expect(out).toContain("does not answer at http://gpu-desktop:3003");
}

async function runTranscript(text: string, sim: E2ESim, port: number, env: Record<string, string>) {
  for (const step of transcript(substitute(text, sim, port))) {
    const { exit, stopped } = await runToEnd(step.command, env, sim);
    const actual = [...lines(exit.stdout), ...lines(exit.stderr)];
    const expected = step.output.filter((l) => l.trim() !== "");
    const unmatched = expected.filter((e) => !actual.some((a) => lineMatches(e, a)));
    expect({ command: step.command, unmatched, actual }).toEqual({ command: step.command, unmatched: [], actual });
    // A command that ended by itself printed exactly what the page shows.
    if (!stopped) expect({ command: step.command, lines: actual.length }).toEqual({ command: step.command, lines: expected.length });
    else expect(exit.code).toBe(0);
  }
}
