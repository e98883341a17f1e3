// Everything read from outside is bounded, in bytes and in time (issue 16
// item 5): hostile HTTP servers of the test's own (an endless body, a body
// dripped a byte at a time, a 200 that is not the daemon's /healthz) in
// front of the machine-learning probe, `healthcheck` and the notifier, and
// oversized, endless and blocking files as STATE_FILE, the heartbeat,
// API_KEY_FILE and NOTIFY_TOKEN_FILE. Each ends within its cap and its
// timeout with one line (or false), never a crash, never the whole thing read.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/index.ts";
import { checkHeartbeat } from "../../src/daemon/heartbeat.ts";
import { createMlProbe } from "../../src/daemon/ml-probe.ts";
import { fileStateStore } from "../../src/daemon/state-file.ts";
import { memoryLog } from "../../src/daemon/log.ts";
import { Notifier } from "../../src/notify/notifier.ts";
import { MAX_FILE_BYTES, readFileLimited, TooLarge } from "../../src/shared/bounded-read.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { checkHealthz } from "../../src/status/healthz-check.ts";

setDefaultTimeout(20_000);

const stops: (() => void)[] = [];
let dir = "";
afterEach(() => {
  for (const s of stops.splice(0)) s();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = "";
});
const tmp = () => (dir ||= mkdtempSync(join(tmpdir(), "ijd-bounded-")));

/** A server answering every request with `body()`; counts the bytes it managed to hand over. */
function hostile(status: number, body: (sent: { bytes: number }) => string | ReadableStream) {
  const sent = { bytes: 0 };
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(body(sent), { status }) });
  stops.push(() => server.stop(true));
  return { url: `http://127.0.0.1:${server.port}`, sent, port: server.port! };
}

/** An endless body: 64 KB chunks for as long as anyone reads. */
const endless = (text = "pong ") => (sent: { bytes: number }) =>
  new ReadableStream({
    pull(c) {
      const chunk = new TextEncoder().encode(text.repeat(Math.ceil(65_536 / text.length)));
      sent.bytes += chunk.byteLength;
      c.enqueue(chunk);
    },
  });

/** A body that starts and then never goes on (a byte every 30 s). */
const drip = (first: string) => () =>
  new ReadableStream({
    async pull(c) {
      c.enqueue(new TextEncoder().encode(first));
      await Bun.sleep(30_000);
    },
  });

describe("the machine-learning probe (ML_URL)", () => {
  test("an endless /ping answer is not pong: false once the cap is passed, with a few hundred KB read at most", async () => {
    const s = hostile(200, endless());
    const t0 = performance.now();
    expect(await createMlProbe([s.url], fetch, 2_000)()).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1_900);
    expect(s.sent.bytes).toBeLessThan(16 * 1024 * 1024); // what the sockets buffer
  });

  test("a /ping answer dripped a byte at a time: false within its timeout", async () => {
    const s = hostile(200, drip("p"));
    const t0 = performance.now();
    expect(await createMlProbe([s.url], fetch, 500)()).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2_000);
  });
});

describe("healthcheck against STATUS_ADDR", () => {
  const addr = (port: number) => ({ hostname: "127.0.0.1", port });

  test("a 200 that is not the daemon's /healthz is unhealthy", async () => {
    const s = hostile(200, () => "<html>welcome to nginx</html>");
    const r = await checkHealthz(addr(s.port), fetch);
    expect(r.ok).toBe(false);
    expect(r.line).toStartWith("unhealthy: ");
    expect(r.line).toContain("not the daemon's /healthz");
  });

  test("an endless /healthz answer: unhealthy, one short line, read no further than the cap", async () => {
    const s = hostile(200, endless("ok: "));
    const r = await checkHealthz(addr(s.port), fetch);
    expect(r.ok).toBe(false);
    expect(r.line).toMatch(/^unhealthy: .* answered more than 16 KB/);
    expect(r.line.length).toBeLessThan(300);
    expect(s.sent.bytes).toBeLessThan(16 * 1024 * 1024); // what the sockets buffer
  });

  test("a /healthz answer that drips: unhealthy within the timeout", async () => {
    const s = hostile(200, drip("o"));
    const t0 = performance.now();
    const r = await checkHealthz(addr(s.port), fetch, 500);
    expect(r.ok).toBe(false);
    expect(r.line).toContain("no answer within 0.5 s");
    expect(performance.now() - t0).toBeLessThan(2_000);
  });

  test("the daemon's own answers: 200 `ok: ...` is healthy, 503 unhealthy, each quoted in one escaped line", async () => {
    const ok = hostile(200, () => "ok: loop reported 3 s ago, state ok\n");
    expect(await checkHealthz(addr(ok.port), fetch)).toEqual({ ok: true, line: "healthy: loop reported 3 s ago, state ok" });
    const bad = hostile(503, () => "unhealthy: the loop last reported 99 s ago\u001b]0;owned\u0007; it is stuck\n");
    const r = await checkHealthz(addr(bad.port), fetch);
    expect(r.ok).toBe(false);
    expect(r.line).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(r.line).toContain("the loop last reported 99 s ago\\x1b]0;owned\\x07; it is stuck");
  });
});

describe("files", () => {
  test("readFileLimited: a file over the cap is refused without being read; /dev/zero stops at the cap; a FIFO with no writer reads as empty, not a hang", () => {
    const big = join(tmp(), "big");
    writeFileSync(big, "");
    truncateSync(big, 100 * 1024 * 1024); // 100 MB, sparse
    expect(() => readFileLimited(big)).toThrow(TooLarge);
    expect(() => readFileLimited("/dev/zero")).toThrow(`it is larger than ${MAX_FILE_BYTES / 1024} KB`);
    const fifo = join(tmp(), "fifo");
    execFileSync("mkfifo", [fifo]);
    expect(readFileLimited(fifo)).toBe(""); // no writer: nothing to read, at once
    const small = join(tmp(), "small");
    writeFileSync(small, "key\n");
    expect(readFileLimited(small)).toBe("key\n");
  });

  test("a 20 MB state file (3 million entries): ignored with one line, not parsed", () => {
    const path = join(tmp(), "state.json");
    const names = `"q",`.repeat(3_000_000);
    writeFileSync(path, `{"version":1,"immichUrl":"http://x","pausedByUs":[${names}"q"],"runningByUs":[],"held":[]}`);
    const before = process.memoryUsage().rss;
    const r = fileStateStore(path, "http://x").load();
    expect(r.ownership).toBeUndefined();
    expect(r.problem).toBe(`STATE_FILE ${path} is larger than 64 KB, far more than this daemon writes; ignoring it`);
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1024 * 1024);
  });

  test("a 5 MB heartbeat: unhealthy, one line", () => {
    const path = join(tmp(), "health.json");
    writeFileSync(path, JSON.stringify({ pid: process.pid, staleAfterMs: 60_000, state: "ok", failures: 0, lastError: "x".repeat(5 * 1024 * 1024) }));
    const r = checkHeartbeat(path, Date.now());
    expect(r).toEqual({ ok: false, line: `unhealthy: the heartbeat ${path} is larger than 64 KB: not one this daemon wrote` });
  });

  test("API_KEY_FILE and NOTIFY_TOKEN_FILE as /dev/zero, a 100 MB file or a FIFO: one error naming the variable", () => {
    const big = join(tmp(), "big");
    writeFileSync(big, "");
    truncateSync(big, 100 * 1024 * 1024);
    const fifo = join(tmp(), "fifo");
    execFileSync("mkfifo", [fifo]);
    for (const file of ["/dev/zero", big, fifo]) {
      const key = loadConfig({ API_KEY_FILE: file }, (p) => readFileLimited(p));
      expect(key.ok).toBe(false);
      if (!key.ok) expect(key.errors.map((e) => e.variable)).toEqual(["API_KEY_FILE"]);
      const token = loadConfig({ API_KEY: "key-0123456789abcdef", NOTIFY_URL: "https://ntfy.sh/t", NOTIFY_TOKEN_FILE: file }, (p) => readFileLimited(p));
      expect(token.ok).toBe(false);
      if (!token.ok) expect(token.errors.map((e) => e.variable)).toEqual(["NOTIFY_TOKEN_FILE"]);
    }
    const huge = loadConfig({ API_KEY_FILE: big }, (p) => readFileLimited(p));
    if (!huge.ok) expect(huge.errors[0]!.message).toContain("larger than 64 KB");
  });
});

describe("the notifier (NOTIFY_URL)", () => {
  test("a target answering an endless body or dripping it: the send ends within its timeout, nothing read beyond the headers", async () => {
    const endlessTarget = hostile(200, endless("x"));
    const dripTarget = hostile(200, drip("x"));
    const log = memoryLog();
    const n = new Notifier({
      targets: [
        { kind: "ntfy", url: `${endlessTarget.url}/t`, label: "ntfy at endless" },
        { kind: "json", url: `${dripTarget.url}/h`, label: "webhook at drip" },
      ],
      fetch,
      clock: systemClock,
      log,
      source: { version: "1", immichUrl: "http://immich" },
      timeoutMs: 500,
    });
    n.add([{ kind: "drained", at: 0, severity: "info", title: "Backlog done", text: "done" }]);
    const t0 = performance.now();
    await n.close(5_000);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(endlessTarget.sent.bytes).toBeLessThan(16 * 1024 * 1024); // what the sockets buffer, not what was read
    expect(log.lines.filter((l) => l.level === "warn")).toEqual([]);
  });
});
