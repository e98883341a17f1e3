// A misspelled variable gets one warning naming the one meant (issue 7 item
// 6); the rest of the environment (Immich's own variables, the shell's,
// systemd's) stays silent.
import { describe, expect, test } from "bun:test";
import { misspelledVariables } from "../../src/config/misspelled.ts";
import { ENV_NAMES } from "../../src/config/schema.ts";
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
