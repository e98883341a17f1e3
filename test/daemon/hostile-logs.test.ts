// What a hostile server can do to the logs (issue 7 item 7): queue names
// with control characters and escape sequences cannot forge a line or
// recolour a terminal, and unknown-queue notices are bounded over the
// daemon's life even when the names change every poll. The daemon against a
// real HTTP server, its real text logger captured.
import { afterEach, expect, test } from "bun:test";
import { createLog, escapeControls } from "../../src/daemon/log.ts";
import { NOTICE_LIMIT } from "../../src/daemon/notice-budget.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { testDaemon } from "../helpers/daemon-builder.ts";
import { counts, fakeServer, json } from "../immich/servers.ts";

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

async function daemonAgainst(queues: () => unknown[]) {
  const s = fakeServer({
    "GET /api/server/ping": () => json({ res: "pong" }),
    "GET /api/queues": () => json(queues()),
    "PUT /api/queues/thumbnailGeneration": () => json({ name: "thumbnailGeneration", isPaused: true, statistics: counts() }),
  });
  stops.push(s.stop);
  const clock = new VirtualClock();
  const out: string[] = [];
  const stream = { write: (t: string) => out.push(t) };
  const log = createLog({ level: "debug", format: "text", stdout: stream, stderr: stream, now: () => clock.now() });
  const daemon = testDaemon({ url: s.url, apiKey: "key-0123456789", clock, log, timeoutMs: 5_000 });
  await daemon.start(new AbortController().signal);
  return { daemon, out };
}

const q = (name: string) => ({ name, isPaused: false, statistics: counts() });

test("a queue name with a newline and escape sequences stays inside its one line, escaped", async () => {
  const evil = "x\n2026-01-01T00:00:00.000Z ERROR forged\u001b[2J\u202e";
  const { daemon, out } = await daemonAgainst(() => [q("thumbnailGeneration"), q(evil)]);
  await daemon.cycle();
  const text = out.join("");
  const lines = text.split("\n").filter((l) => l !== "");
  expect(lines.some((l) => l.startsWith("2026-01-01T00:00:00.000Z ERROR forged"))).toBe(false);
  expect(text).not.toContain("\u001b");
  expect(text).not.toContain("\u202e");
  expect(text).toContain("x\\x0a2026-01-01T00:00:00.000Z ERROR forged\\x1b[2J\\u202e");
  expect(escapeControls("tab\there")).toBe("tab\\x09here");
});

test("unknown queues: each named once, at most NOTICE_LIMIT over the daemon's life, then one line; names changing every poll change nothing", async () => {
  let poll = 0;
  const { daemon, out } = await daemonAgainst(() => {
    poll++;
    return [q("thumbnailGeneration"), ...Array.from({ length: 150 }, (_, i) => q(`odd${poll}x${i}`))];
  });
  for (let i = 0; i < 50; i++) await daemon.cycle();
  const lines = out.join("").split("\n");
  const unknown = lines.filter((l) => l.includes("does not know") && !l.includes("are not logged"));
  expect(unknown.length).toBe(NOTICE_LIMIT);
  expect(lines.filter((l) => l.includes("are not logged")).length).toBe(1);
  expect(poll).toBeGreaterThanOrEqual(50);
});

test("JSON log lines: what JSON leaves raw that a terminal acts on (bidi overrides, C1 controls, line separators) is escaped too, the JSON unchanged", () => {
  const out: string[] = [];
  const stream = { write: (t: string) => out.push(t) };
  const log = createLog({ level: "debug", format: "json", stdout: stream, stderr: stream, now: () => 0 });
  const name = "evil\u202egnp.exe\u009b2J\u2028\u0085";
  log.info(`the server has a queue the daemon does not know, ${name}`, { queue: name });
  const text = out.join("");
  expect(text).not.toMatch(/[\u007f-\u009f\u202a-\u202e\u2028]/);
  expect(text).toContain("evil\\u202egnp.exe\\u009b2J\\u2028\\u0085");
  expect(JSON.parse(text.trim()).queue).toBe(name);
});
