// A misspelled variable gets one warning naming the one meant (issue 7 item
// 6); the rest of the environment (Immich's own variables, the shell's,
// systemd's) stays silent.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { distance, misspelledVariables } from "../../src/config/misspelled.ts";
import { ENV_NAMES } from "../../src/config/variables.ts";
import { runApp } from "../../src/cli/app.ts";
import { VirtualClock } from "../../src/shared/clock.ts";

const warn = (env: Record<string, string>) => misspelledVariables(env, ENV_NAMES);

describe("names meant for the daemon", () => {
  test.each([
    ["MAX_CONCURENT_JOBS", "MAX_CONCURRENT_JOBS"],
    ["MAX_CONCURRENT_JOB", "MAX_CONCURRENT_JOBS"],
    ["POLL_ITNERVAL", "POLL_INTERVAL"],
    ["POLLINTERVAL", "POLL_INTERVAL"],
    ["api_key", "API_KEY"],
    ["APIKEY", "API_KEY"],
    ["API_KEYS", "API_KEY"],
    ["IMMICH_API_KEY", "API_KEY"],
    ["IMMICH_URL_", "IMMICH_URL"],
    ["IJD_POLL_INTERVAL", "POLL_INTERVAL"],
    ["MANAGED_QUEUE", "MANAGED_QUEUES"],
    ["DRYRUN", "DRY_RUN"],
    ["ON_EXITS", "ON_EXIT"],
  ])("%s: did you mean %s?", (name, meant) => {
    const w = warn({ [name]: "3" });
    expect(w).toEqual([`${name} is not a variable the daemon reads, so it is ignored; did you mean ${meant}?`]);
  });
});

// Issue 16 item 8: a name cut short (a prefix of one of ours) was silent.
describe("names cut short", () => {
  test.each([
    ["MIN_POLL", "MIN_POLL_INTERVAL"],
    ["NOTIFY_OUTAGE", "NOTIFY_OUTAGE_AFTER"],
    ["MAX_CONCURRENT", "MAX_CONCURRENT_JOBS"],
    ["min_poll_inter", "MIN_POLL_INTERVAL"],
    ["REQUEST_TIME", "REQUEST_TIMEOUT"],
    ["HEALTH", "HEALTH_FILE"],
    // Nested names: the shortest, which the others only extend.
    ["NOTIFY_TOK", "NOTIFY_TOKEN"],
  ])("%s: did you mean %s?", (name, meant) => {
    expect(warn({ [name]: "3" })).toEqual([`${name} is not a variable the daemon reads, so it is ignored; did you mean ${meant}?`]);
  });

  test("a prefix of several names lists them", () => {
    expect(warn({ NOTIFY: "x" })).toEqual([
      "NOTIFY is not a variable the daemon reads, so it is ignored; did you mean NOTIFY_URL, NOTIFY_TOKEN, NOTIFY_TOKEN_FILE or NOTIFY_OUTAGE_AFTER?",
    ]);
  });

  test("too short to tell (under 5 characters) is silent", () => {
    expect(warn({ MAX: "1", MIN: "1", LOG: "x", API: "x", POLL: "1", EXIT: "1", DRY: "1" })).toEqual([]);
  });
});

test("the rest of a typical environment is silent", () => {
  const env = {
    PATH: "/usr/bin", HOME: "/root", HOSTNAME: "nas", TERM: "xterm", LANG: "C", PWD: "/", SHLVL: "1", TMPDIR: "/tmp",
    IMMICH_VERSION: "v3", IMMICH_LOG_LEVEL: "log", IMMICH_HOST: "0.0.0.0", IMMICH_PORT: "2283", UPLOAD_LOCATION: "./library",
    DB_PASSWORD: "x", DB_USERNAME: "postgres", DB_DATABASE_NAME: "immich", REDIS_HOSTNAME: "redis",
    INVOCATION_ID: "x", JOURNAL_STREAM: "8:1", NOTIFY_SOCKET: "/run", CREDENTIALS_DIRECTORY: "/run/cred",
    RUNTIME_DIRECTORY: "/run/x", CACHE_DIRECTORY: "/var/cache/x", LOGS_DIRECTORY: "/var/log/x", NODE_ENV: "production",
    ...Object.fromEntries(ENV_NAMES.map((n) => [n, "x"])),
  };
  expect(warn(env)).toEqual([]);
});

test("through a command: one warning line at start, and beside configuration errors too", async () => {
  const out: string[] = [];
  const stream = { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream;
  const code = await runApp({
    argv: ["once"],
    env: { MAX_CONCURENT_JOBS: "3" },
    stdout: stream,
    stderr: stream,
    clock: new VirtualClock(),
    signal: new AbortController().signal,
    readFile: () => "",
    random: () => 0.5,
    fetch,
    pid: 1,
  });
  expect(code).toBe(2);
  const text = out.join("");
  expect(text).toContain("API_KEY is not set");
  expect(text.match(/did you mean MAX_CONCURRENT_JOBS\?/g)).toHaveLength(1);
});

describe("distance's shortcut", () => {
  /** The plain table, with no bound taken first. */
  const reference = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
        d[i]![j] = v;
      }
    }
    return d[a.length]![b.length]!;
  };
  test("agrees with the plain table wherever it matters (up to 2), on names and their near misses", () => {
    const name = fc.stringMatching(/^[A-Z_]{1,14}$/);
    // A name and a copy with up to three random edits: many pairs at distance 0-3.
    const edit = (s: string, ops: [number, number, string][]) =>
      ops.reduce((t, [kind, at, c]) => {
        const i = at % (t.length + 1);
        return kind === 0 ? t.slice(0, i) + c + t.slice(i) : kind === 1 ? t.slice(0, i) + t.slice(i + 1) : t.slice(0, i) + c + t.slice(i + 1);
      }, s);
    fc.assert(
      fc.property(name, fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.nat(), fc.constantFrom("A", "B", "_", "E")), { maxLength: 3 }), name, (a, ops, other) => {
        for (const b of [edit(a, ops), other]) {
          const want = reference(a, b);
          expect(Math.min(distance(a, b), 3)).toBe(Math.min(want, 3));
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
