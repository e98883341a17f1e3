// What a configuration error may echo of the value it was given (issue 16
// item 6): no secret (NOTIFY_URL's user:password, its topic path and query:
// knowing an ntfy topic is enough to read it), at most a short excerpt of
// anything long (a 130 KB TZ was printed whole), and nothing a terminal
// acts on (escape sequences, CR, bidi overrides).
import { expect, test } from "bun:test";
import fc from "fast-check";
import { loadConfig } from "../../src/config/index.ts";
import { ENV_NAMES } from "../../src/config/variables.ts";

const BASE = { API_KEY: "echo-key-0123456789abcdef" };
const errors = (env: Record<string, string>) => {
  const r = loadConfig({ ...BASE, ...env }, () => "");
  return r.ok ? [] : r.errors.map((e) => e.message);
};
/** Characters a terminal acts on. */
const RAW = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** Every configuration error line stays readable: its quotes cut to 60 characters, the whole within this. */
const MAX_LINE = 1_500;

test("NOTIFY_URL in an error: scheme and host only, never the user, password, topic or query", () => {
  const cases = [
    "https://bob:hunter2@ntfy.example/secret-topic?auth=tok123",
    "ftp://bob:hunter2@ntfy.example/secret-topic?auth=tok123",
    "https://ntfy.sh/fine json+gopher://bob:hunter2@ntfy.example/secret-topic?auth=tok123#frag",
    "json+https://bob:hunter2@ntfy.example/secret-topic?auth=tok123 not-a-url",
    "bob:hunter2@ntfy.example/secret-topic?auth=tok123",
  ];
  for (const url of cases) {
    const messages = errors({ NOTIFY_URL: url });
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) {
      for (const secret of ["bob", "hunter2", "secret-topic", "tok123", "frag"]) expect({ url, m, secret, found: m.includes(secret) }).toEqual({ url, m, secret, found: false });
    }
  }
  expect(errors({ NOTIFY_URL: cases[0]! })[0]).toStartWith('NOTIFY_URL="https://***@ntfy.example/***?***": must not carry a user name or password');
});

test("a 130 KB TZ, WINDOWS or MANAGED_QUEUES: the error quotes 60 characters and an ellipsis", () => {
  const long = "x".repeat(130_000);
  const tz = errors({ TZ: long, WINDOWS: "ml=22:00-06:00" });
  expect(tz).toEqual([`TZ="${"x".repeat(60)}…": is not a time zone this daemon knows (POSIX rules like CET-1CEST are not accepted either). Accepts an IANA time-zone name, e.g. Europe/Berlin (the binary carries the zone data).`]);
  for (const env of [{ WINDOWS: `ml=${long}` }, { MANAGED_QUEUES: `${long},bad name` }, { MAX_CONCURRENT_JOBS: long }, { IMMICH_URL: `http://${long}` }] as Record<string, string>[]) {
    for (const m of errors(env)) expect(m.length).toBeLessThan(MAX_LINE);
  }
});

test("escape sequences, CR, LF and bidi overrides in a value come out escaped", () => {
  const evil = "\u001b]0;owned\u0007\r\n\u202eevil\u009b2J";
  for (const name of ["TZ", "MAX_CONCURRENT_JOBS", "WINDOWS", "MANAGED_QUEUES", "NOTIFY_URL", "STATUS_ADDR", "LOG_LEVEL"]) {
    const messages = errors({ [name]: evil, ...(name === "TZ" ? { WINDOWS: "ml=22:00-06:00" } : {}) });
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) expect({ name, m, raw: RAW.test(m) }).toEqual({ name, m, raw: false });
  }
});

test("fuzz: any variable set to long or control-laden text gets errors that are short, escaped lines", () => {
  const value = fc.oneof(
    fc.string({ unit: "binary", maxLength: 400 }),
    fc.string({ minLength: 200, maxLength: 5_000 }),
    fc.constantFrom("\u001b[2J", "\u202e", "\r\nforged", "\u0085", "\u2028"),
  );
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom(...ENV_NAMES.filter((n) => !n.endsWith("_FILE") && n !== "STATE_DIRECTORY")), value, { maxKeys: 4 }), (env) => {
      for (const m of errors(env)) {
        expect(m.length).toBeLessThan(MAX_LINE);
        expect(RAW.test(m)).toBe(false);
      }
    }),
    { numRuns: 300 },
  );
});
