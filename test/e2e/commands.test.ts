// The compiled binary's commands, each run as a real process against the
// simulator: `once`, `status [--json]`, `resume-all`, `healthcheck`,
// `--version`, `--help`,
// and the settings that change what it prints or sends (LOG_FORMAT=json,
// DRY_RUN=true).

import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { EXIT_CODE_DOCS } from "../../src/cli/exit-codes.ts";
import { ENV_NAMES } from "../../src/config/variables.ts";
import { gitFacts } from "../../scripts/git-facts.ts";
import { checkoutVersion } from "../../scripts/release-lib.ts";
import { cleanEnv, lines, ROOT, runBinary, spawnBinary, waitUntil } from "./helpers.ts";
import { type E2ESim, e2eSimsPerTest, KEYS } from "./helpers-sim.ts";

// Real processes on a loaded 2-core machine: more than Bun's default 5 s
// (bunfig.toml's [test] timeout is not applied by Bun 1.4.5).
setDefaultTimeout(15_000);

const startE2E = e2eSimsPerTest();
const startSim = () => startE2E({ speed: 10 });

const env = (url: string, extra: Record<string, string> = {}) =>
  cleanEnv({ IMMICH_URL: url, API_KEY: KEYS.daemon, POLL_INTERVAL: "0.2", ...extra });

/** Every PUT: `status` and a dry run send none, not even the no-op `{}` permission check. */
const commandsSent = (sim: E2ESim) => sim.requests.filter((r) => r.method === "PUT");

describe("once", () => {
  test("one cycle: pauses the idle managed queues, keeps the busy one running, exits 0; a second run has nothing to do", async () => {
    const sim = await startSim();
    sim.sim.engine.enqueue("thumbnailGeneration", 2_000);
    const exit = await runBinary(["once"], env(sim.url));
    expect(exit.code).toBe(0);
    expect(exit.stderr).toBe("");

    const idle = sim.pausable().filter((q) => q !== "thumbnailGeneration");
    expect(sim.changesBy("daemon").map((c) => c.queue).sort()).toEqual([...idle].sort());
    expect(sim.changesBy("daemon").every((c) => c.paused)).toBe(true);
    expect(sim.sim.engine.get("thumbnailGeneration")!.isPaused).toBe(false);
    // Every change is one log line naming the queue.
    for (const q of idle) expect(exit.stdout).toContain(`paused ${q}: `);
    // Protected queues are never touched.
    expect(sim.sim.engine.list().filter((q) => q.isPaused && !sim.managed().includes(q.name))).toEqual([]);
    // One cycle: one observation after the connection's own read.
    expect(sim.requests.filter((r) => r.method === "GET" && r.path === "/api/queues")).toHaveLength(2);

    const again = await runBinary(["once"], env(sim.url));
    expect(again.code).toBe(0);
    // Without a state file it adopts the paused queues as its own, says so, and changes nothing.
    expect(lines(again.stdout).at(-1)).toMatch(/ INFO  nothing to do$/);
    for (const q of idle) expect(again.stdout).toContain(`${q} was paused at start; taking it as paused by the daemon`);
    expect(sim.changesBy("daemon")).toHaveLength(idle.length);
  });
});

describe("status", () => {
  test("prints a table with every queue of the profile and sends no command", async () => {
    const sim = await startSim();
    sim.sim.engine.enqueue("smartSearch", 100);
    const exit = await runBinary(["status"], env(sim.url));
    expect(exit.code).toBe(0);
    expect(exit.stderr).toBe("");
    const out = lines(exit.stdout);
    expect(out[0]).toMatch(/^Immich v3\.1\.0 at http:\/\/127\.0\.0\.1:\d+ \(\/api\/queues\): \d+ of 1 slot in use$/);
    expect(out[1]).toMatch(/^QUEUE\s+PRI\s+STATE\s+ACTIVE\s+WAITING\s+PAUSED\s+DELAYED\s+SLOT\s+OWNER\s+WOULD$/);
    const rows = out.slice(2).filter((l) => /^\S/.test(l)).map((l) => l.split(/\s+/)[0]);
    expect([...rows].sort()).toEqual([...sim.sim.profile.queues].sort());
    expect(out.find((l) => l.startsWith("smartSearch "))).toMatch(/^smartSearch\s+5\s+running\s+\d+\s+\d+/);
    expect(out.find((l) => l.startsWith("backgroundTask "))).toContain("unmanaged");
    // What it would do, without doing it.
    expect(exit.stdout).toContain("would pause sidecar");
    expect(commandsSent(sim)).toEqual([]);
    expect(sim.changesBy("daemon")).toEqual([]);
  });

  test("--json parses and lists every queue with its counts and the planned action", async () => {
    const sim = await startSim();
    sim.sim.engine.enqueue("smartSearch", 100);
    const exit = await runBinary(["status", "--json"], env(sim.url));
    expect(exit.code).toBe(0);
    expect(exit.stderr).toBe("");
    const j = JSON.parse(exit.stdout) as {
      version: string;
      api: string;
      maxConcurrent: number;
      queues: { name: string; managed: boolean; isPaused: boolean; active: number; waiting: number; wouldDo: { action: string } | null }[];
    };
    expect(j.version).toBe("3.1.0");
    expect(j.api).toBe("queues");
    expect(j.maxConcurrent).toBe(1);
    expect(j.queues.map((q) => q.name).sort()).toEqual([...sim.sim.profile.queues].sort());
    const smart = j.queues.find((q) => q.name === "smartSearch")!;
    expect(smart.managed).toBe(true);
    expect(smart.active + smart.waiting).toBe(100);
    expect(j.queues.find((q) => q.name === "sidecar")!.wouldDo?.action).toBe("pause");
    expect(j.queues.find((q) => q.name === "backgroundTask")!.managed).toBe(false);
    expect(commandsSent(sim)).toEqual([]);
  });
});

describe("resume-all", () => {
  test("resumes every paused managed queue, whoever paused it, and leaves the others alone", async () => {
    const sim = await startSim();
    const e = sim.sim.engine;
    for (const q of ["sidecar", "smartSearch", "videoConversion"]) e.setPaused(q, true, "person");
    e.setPaused("backgroundTask", true, "person");
    const exit = await runBinary(["resume-all"], env(sim.url));
    expect(exit.code).toBe(0);
    expect(exit.stderr).toBe("");
    expect(sim.managedPaused()).toEqual([]);
    expect(sim.changesBy("daemon").map((c) => `${c.queue}:${c.paused}`).sort()).toEqual([
      "sidecar:false",
      "smartSearch:false",
      "videoConversion:false",
    ]);
    expect(e.get("backgroundTask")!.isPaused).toBe(true);
    for (const q of ["sidecar", "smartSearch", "videoConversion"]) expect(exit.stdout).toContain(`resumed ${q}`);

    const again = await runBinary(["resume-all"], env(sim.url));
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("nothing to resume");
  });
});

describe("healthcheck", () => {
  test("unhealthy (1) with no heartbeat, healthy (0) while `run` polls, unhealthy after it stopped; it sends nothing to Immich", async () => {
    const sim = await startSim();
    const dir = mkdtempSync(join(tmpdir(), "ijd-e2e-health-"));
    try {
      // Needs no key: only HEALTH_FILE (or TMPDIR) has to match the daemon's.
      const health = cleanEnv({ HEALTH_FILE: join(dir, "health.json") });
      const before = await runBinary(["healthcheck"], health);
      expect(before.code).toBe(1);
      expect(lines(before.stderr)).toEqual([expect.stringMatching(/^unhealthy: no heartbeat at .*health\.json/)]);
      expect(before.stdout).toBe("");

      const d = spawnBinary(["run"], env(sim.url, { HEALTH_FILE: join(dir, "health.json") }));
      await waitUntil(() => existsSync(join(dir, "health.json")), "the first heartbeat");
      const n = sim.requests.length;
      const during = await runBinary(["healthcheck"], health);
      expect(during.code).toBe(0);
      expect(lines(during.stdout)).toEqual([expect.stringMatching(/^healthy: last heartbeat \d+ s ago, state ok$/)]);
      expect(sim.requests.slice(n).filter((r) => r.method !== "GET" || r.path !== "/api/queues")).toEqual([]);
      d.signal("SIGTERM");
      expect((await d.exited).code).toBe(0);
      // A stopped daemon is not healthy, even within its last heartbeat's grace.
      const after = await runBinary(["healthcheck"], health);
      expect(after.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("version and help", () => {
  test("--version prints the baked version: this checkout's, <package version>-dev+<commit> unless a release tag names the commit", async () => {
    const facts = gitFacts(ROOT, {});
    const expected = checkoutVersion(pkg.version, facts);
    if (facts.commit && !facts.exactTags?.includes(`v${pkg.version}`)) expect(expected).toBe(`${pkg.version}-dev+${facts.commit}`);
    for (const flag of ["--version", "-V"]) {
      const exit = await runBinary([flag], cleanEnv());
      expect(exit.code).toBe(0);
      expect(exit.stdout).toBe(`${expected}\n`);
      expect(exit.stderr).toBe("");
    }
  });

  test("--help lists every command, every variable and every exit code", async () => {
    const exit = await runBinary(["--help"], cleanEnv());
    expect(exit.code).toBe(0);
    expect(exit.stderr).toBe("");
    const help = exit.stdout;
    expect(help).toContain(`immich-job-daemon ${pkg.version}`);
    // The commands the binary itself says it has (its unknown-command line), and the documented ones.
    const unknown = await runBinary(["no-such-command"], cleanEnv());
    const listed = /commands are ([^(]+) \(/.exec(unknown.stderr)?.[1]?.split(", ") ?? [];
    const commands = new Set([...listed.filter((c) => c !== "help"), "run", "once", "status", "resume-all", "simulator", "demo"]);
    for (const c of commands) expect(help).toMatch(new RegExp(`^  ${c}\\b`, "m"));
    expect(help).toContain("--json");
    for (const name of ENV_NAMES) expect(help).toMatch(new RegExp(`^  ${name} `, "m"));
    for (const [code, text] of EXIT_CODE_DOCS) expect(help).toContain(`  ${code}  ${text}`);
    // -h and `help` print the same.
    expect((await runBinary(["-h"], cleanEnv())).stdout).toBe(help);
    expect((await runBinary(["help"], cleanEnv())).stdout).toBe(help);
  });
});

describe("settings that change what is printed or sent", () => {
  test("LOG_FORMAT=json: one JSON object per line with time, level and msg, on both streams", async () => {
    const sim = await startSim();
    sim.sim.engine.enqueue("smartSearch", 1_000);
    const d = spawnBinary(["run"], env(sim.url, { LOG_FORMAT: "json", MANAGED_QUEUES: "smartSearch,sidecar,noSuchQueue" }));
    // Its own line about the pause, not the server's record of it: a stop while
    // the answer is on its way is logged as a failed pause (signals.test.ts, known bug).
    await d.waitForOutput('"action":"pause"');
    d.signal("SIGTERM");
    const exit = await d.exited;
    expect(exit.code).toBe(0);
    const all = [...lines(exit.stdout), ...lines(exit.stderr)];
    expect(lines(exit.stderr).length).toBeGreaterThan(0); // the unknown queue's warning
    for (const line of all) {
      const o = JSON.parse(line) as Record<string, unknown>;
      expect(typeof o.msg).toBe("string");
      expect(["debug", "info", "warn", "error"]).toContain(o.level as string);
      expect(new Date(o.time as string).toISOString()).toBe(o.time as string);
    }
    const paused = all.map((l) => JSON.parse(l) as Record<string, unknown>).find((o) => o.action === "pause");
    expect(paused).toMatchObject({ level: "info", queue: "sidecar", action: "pause" });
    expect(all.map((l) => JSON.parse(l) as { level: string; msg: string }).some((o) => o.level === "warn" && o.msg.includes("noSuchQueue"))).toBe(true);
  });

  test("LOG_FORMAT=json: a fatal error is one JSON line too", async () => {
    const sim = await startSim();
    const exit = await runBinary(["once"], env(sim.url, { LOG_FORMAT: "json", API_KEY: "wrong" }));
    expect(exit.code).toBe(3);
    const errs = lines(exit.stderr);
    expect(errs).toHaveLength(1);
    expect(JSON.parse(errs[0]!)).toMatchObject({ level: "error", kind: "unauthorized" });
  });

  test("DRY_RUN=true: says what it would do, sends no pause or resume", async () => {
    const sim = await startSim();
    sim.sim.engine.enqueue("smartSearch", 1_000);
    const d = spawnBinary(["run"], env(sim.url, { DRY_RUN: "true" }));
    await d.waitForOutput("[dry run] would pause sidecar");
    // Several cycles, so a later one would have acted if it were going to.
    const polls = () => sim.requests.filter((r) => r.method === "GET" && r.path === "/api/queues").length;
    await waitUntil(() => polls() >= 5, "five polls");
    d.signal("SIGTERM");
    const exit = await d.exited;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain("dry run: deciding and logging only");
    expect(commandsSent(sim)).toEqual([]);
    expect(sim.changesBy("daemon")).toEqual([]);
    expect(sim.managedPaused()).toEqual([]);
    // The plan is said once, not every cycle.
    expect(exit.stdout.split("[dry run] would pause sidecar").length - 1).toBe(1);
  });
});
