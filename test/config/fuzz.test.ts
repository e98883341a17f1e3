// Configuration fuzz (issue 7 item 10): random environments, with every
// variable the daemon reads, near-misses of their names, object prototype
// names as names and as values, secrets, numbers in every notation. Always
// a valid configuration or one error per invalid variable, each naming it
// (a value invalid in itself is still named beside other problems), never
// a throw; through the command line, exit 0 or 2, never a crash or a stack
// trace.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runApp } from "../../src/cli/app.ts";
import { loadConfig } from "../../src/config/index.ts";
import { ENV_NAMES } from "../../src/config/variables.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { PROTOTYPE_NAMES } from "../helpers/queue-arbitrary.ts";

const PROTO = [...PROTOTYPE_NAMES, "prototype"];
/** Paths `run` would create: kept out of the random values (the command-line half sets them to a temporary directory). */
const FILES = new Set(["STATE_FILE", "HEALTH_FILE", "STATE_DIRECTORY"]);
/** Every file variable (API_KEY_FILE, NOTIFY_TOKEN_FILE) reads as missing, alone or combined alike. */
const noFile = () => {
  throw Object.assign(new Error("no file"), { code: "ENOENT" });
};

const value = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(...PROTO),
  fc.constantFrom("0", "1", "-1", "1e23", "1e+23", "0.05", "3600.5", "NaN", "Infinity", "0x10", " 2 ", "", "true", "no", "YES", "keep", "json"),
  fc.constantFrom("http://nas:2283", "https://x/api", "ftp://x", "http://a:b@x", "http://x/?k=v", "nas:2283", "http://[::1]:2283/"),
  fc.array(fc.constantFrom("sidecar", "ocr", "smartSearch", "notifications", "backgroundTask", ...PROTO, "bad name", ""), { maxLength: 6 }).map((xs) => xs.join(",")),
  // WINDOWS entries naming prototype names as queues, groups and days (issue 16 item 4: they crashed the start-up).
  fc
    .tuple(fc.array(fc.constantFrom("ml", "sidecar", "ocr", ...PROTO), { minLength: 1, maxLength: 3 }), fc.constantFrom("", "Mon-Fri ", "Sat,Sun ", ...PROTO.map((p) => `${p} `), "constructor-Mon ", "Mon-valueOf "))
    .map(([queues, days]) => `${queues.join(",")}=${days}22:00-06:00`),
  fc.integer().map(String),
  fc.double().map(String),
  // What a terminal acts on, and long text (issue 16 item 6: errors quote a short, escaped excerpt).
  fc.constantFrom("\u001b]0;x\u0007", "a\r\nb", "\u202eevil", "\u0085", "x".repeat(5_000)),
);
const name = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...ENV_NAMES.filter((n) => !FILES.has(n))) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTO, "MAX_CONCURENT_JOBS", "api_key", "IMMICH_API_KEY", "POLLINTERVAL", "PATH") },
);
const environment = fc.dictionary(name, value, { maxKeys: 12 }).map((env) => ({ API_KEY: "fuzz-key-0123456789", ...env }));

test("loadConfig: a config, or errors that each name a variable, covering every variable invalid on its own; never a throw", () => {
  fc.assert(
    fc.property(environment, (env) => {
      const r = loadConfig(env, noFile);
      if (r.ok) {
        expect(Number.isFinite(r.config.maxConcurrentJobs)).toBe(true);
        expect(r.config.maxConcurrentJobs).toBeLessThanOrEqual(1_000);
        return;
      }
      for (const e of r.errors) {
        expect(ENV_NAMES as readonly string[]).toContain(e.variable);
        expect(e.message.startsWith(e.variable)).toBe(true);
        expect(e.message).not.toContain("function");
        expect(e.message).not.toContain("[object");
        expect(e.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
        expect(e.message.length).toBeLessThan(1_500);
      }
      const named = new Set(r.errors.map((e) => e.variable));
      for (const [k, v] of Object.entries(env)) {
        if (!(ENV_NAMES as readonly string[]).includes(k) || k === "API_KEY") continue;
        const alone = loadConfig({ API_KEY: "fuzz-key-0123456789", [k]: v }, noFile);
        // A problem of the value itself (not of how it goes with another variable) stays named beside others.
        const others = ENV_NAMES.filter((x) => x !== k);
        if (!alone.ok) for (const e of alone.errors) if (!others.some((x) => e.message.includes(x))) expect(named).toContain(e.variable);
      }
    }),
    { numRuns: 1_500 },
  );
});

test("through the command line: exit 0 or 2, one line per problem, never a crash", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ijd-fuzz-"));
  try {
    await fc.assert(
      fc.asyncProperty(environment, async (env) => {
        const out: string[] = [];
        const stream = { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream;
        const stopped = new AbortController();
        stopped.abort("SIGTERM"); // `run` stops at once: only the configuration is under test
        const code = await runApp({
          argv: ["run"],
          env: { ...env, STATE_FILE: join(dir, "state.json"), HEALTH_FILE: join(dir, "health.json") },
          stdout: stream,
          stderr: stream,
          clock: new VirtualClock(),
          signal: stopped.signal,
          readFile: () => "",
          random: () => 0.5,
          fetch: (() => Promise.reject(new Error("nothing may be sent"))) as unknown as typeof fetch,
          pid: process.pid,
        });
        const text = out.join("");
        expect([0, 2]).toContain(code);
        expect(text).not.toContain("internal error");
        expect(text).not.toMatch(/\bat .*:\d+:\d+/);
      }),
      { numRuns: 300 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("found by the fuzz: NOTIFY_TOKEN and NOTIFY_TOKEN_FILE both set without NOTIFY_URL names both problems", () => {
  const r = loadConfig({ API_KEY: "fuzz-key-0123456789", NOTIFY_TOKEN: "tk_0123456789", NOTIFY_TOKEN_FILE: "/run/secrets/t" }, noFile);
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.errors.map((e) => e.variable).sort()).toEqual(["NOTIFY_TOKEN", "NOTIFY_TOKEN_FILE"]);
  expect(r.errors.find((e) => e.variable === "NOTIFY_TOKEN")!.message).toContain("NOTIFY_URL is not set");
});
