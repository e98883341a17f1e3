// loadConfig against a table of environments: every variable's accepted and
// refused values, the defaults, API_KEY_FILE, and every error reported at once.

import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "bun:test";
import { type Config, CONFIG_DEFAULTS, formatConfigErrors, loadConfig } from "../../src/config/index.ts";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";

const KEY = "k3yABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn";
const noFile = (path: string): string => {
  throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
};
const realFile = (path: string) => readFileSync(path, "utf8");

function ok(env: Record<string, string | undefined>, readFile = noFile): Config {
  const r = loadConfig({ API_KEY: KEY, ...env }, readFile);
  if (!r.ok) throw new Error(`expected a config, got: ${r.errors.map((e) => e.message).join(" | ")}`);
  return r.config;
}

function errors(env: Record<string, string | undefined>, readFile = noFile) {
  const r = loadConfig(env, readFile);
  if (r.ok) throw new Error(`expected errors, got a config: ${JSON.stringify(r.config)}`);
  return r.errors;
}

/** The one error of an otherwise valid environment. */
function oneError(env: Record<string, string | undefined>, readFile = noFile) {
  const errs = errors({ API_KEY: KEY, ...env }, readFile);
  expect(errs).toHaveLength(1);
  return errs[0]!;
}

describe("MAX_WAIT and MIN_POLL_INTERVAL", () => {
  test.each([
    ["300", 300_000],
    ["90s", 90_000],
    ["10m", 600_000],
    ["1h", 3_600_000],
    ["1.5m", 90_000],
    ["OFF", null],
  ])("MAX_WAIT=%s", (value, ms) => {
    expect(ok({ MAX_WAIT: value }).maxWaitMs).toBe(ms);
  });

  test.each(["10 min", "-5", "1d", "0", "0s", "never"])("MAX_WAIT=%s is refused with what it accepts", (value) => {
    const e = oneError({ MAX_WAIT: value });
    expect(e.variable).toBe("MAX_WAIT");
    expect(formatConfigErrors([e])).toContain("90s, 10m, 1h");
  });

  test("MIN_POLL_INTERVAL is seconds, and never above POLL_INTERVAL", () => {
    expect(ok({ MIN_POLL_INTERVAL: "0.5" }).minPollIntervalMs).toBe(500);
    expect(ok({ POLL_INTERVAL: "2", MIN_POLL_INTERVAL: "5" }).minPollIntervalMs).toBe(2_000);
    expect(ok({ POLL_INTERVAL: "0.5" }).minPollIntervalMs).toBe(500);
    expect(oneError({ MIN_POLL_INTERVAL: "1s" }).variable).toBe("MIN_POLL_INTERVAL");
  });
});

describe("defaults", () => {
  test("only API_KEY set: every default applies", () => {
    expect(ok({})).toEqual({
      immichUrl: "http://127.0.0.1:2283",
      apiKey: KEY,
      maxConcurrentJobs: 1,
      pollIntervalMs: 10_000,
      minPollIntervalMs: 1_000,
      maxWaitMs: 600_000,
      managedQueues: [...DEFAULT_PRIORITY],
      unsafeQueues: [],
      onExit: "resume",
      dryRun: false,
      logLevel: "info",
      logFormat: "text",
      requestTimeoutMs: 10_000,
      exitTimeoutMs: 8_000,
      healthFile: "/tmp/immich-job-daemon.health.json",
      notifyTargets: [],
      notifyOutageAfterMs: 300_000,
    });
  });

  test("CONFIG_DEFAULTS is what an empty environment gives", () => {
    const c = ok({});
    expect(c.immichUrl).toBe(CONFIG_DEFAULTS.immichUrl);
    expect(c.pollIntervalMs).toBe(CONFIG_DEFAULTS.pollIntervalMs);
    expect(c.managedQueues).toEqual([...CONFIG_DEFAULTS.managedQueues]);
  });

  test("a variable set to an empty or blank string counts as unset", () => {
    const c = ok({ MAX_CONCURRENT_JOBS: "", POLL_INTERVAL: "  ", IMMICH_URL: "", DRY_RUN: "", STATE_FILE: "" });
    expect(c.maxConcurrentJobs).toBe(1);
    expect(c.pollIntervalMs).toBe(10_000);
    expect(c.stateFile).toBeUndefined();
  });

  test("unknown variables, even with our prefixes, are ignored", () => {
    expect(ok({ IMMICH_VERSION: "v3.1.0", IMMICH_LOG_LEVEL: "verbose", API_KEY_EXTRA: "x", MAX_CONCURRENT: "q" })).toEqual(ok({}));
  });
});

// [variable, value given, what part of the config it becomes]
const valid: [string, string, Partial<Config>][] = [
  ["IMMICH_URL", "http://192.168.1.10:2283", { immichUrl: "http://192.168.1.10:2283" }],
  ["IMMICH_URL", "http://nas:2283/", { immichUrl: "http://nas:2283" }],
  ["IMMICH_URL", "http://nas:2283/api", { immichUrl: "http://nas:2283" }],
  ["IMMICH_URL", "http://nas:2283/api/", { immichUrl: "http://nas:2283" }],
  ["IMMICH_URL", "https://Photos.Example.org", { immichUrl: "https://photos.example.org" }],
  ["IMMICH_URL", "https://photos.example.org:443/", { immichUrl: "https://photos.example.org" }],
  ["IMMICH_URL", "http://[::1]:2283", { immichUrl: "http://[::1]:2283" }],
  ["IMMICH_URL", "  http://nas:2283  ", { immichUrl: "http://nas:2283" }],
  ["MAX_CONCURRENT_JOBS", "1", { maxConcurrentJobs: 1 }],
  ["MAX_CONCURRENT_JOBS", "3", { maxConcurrentJobs: 3 }],
  ["MAX_CONCURRENT_JOBS", "+2", { maxConcurrentJobs: 2 }],
  ["MAX_CONCURRENT_JOBS", "2.0", { maxConcurrentJobs: 2 }],
  ["POLL_INTERVAL", "10", { pollIntervalMs: 10_000 }],
  ["POLL_INTERVAL", "0.1", { pollIntervalMs: 100 }],
  ["POLL_INTERVAL", "2.5", { pollIntervalMs: 2_500 }],
  ["POLL_INTERVAL", ".5", { pollIntervalMs: 500 }],
  ["POLL_INTERVAL", "3600", { pollIntervalMs: 3_600_000 }],
  ["REQUEST_TIMEOUT", "0.1", { requestTimeoutMs: 100 }],
  ["REQUEST_TIMEOUT", "30", { requestTimeoutMs: 30_000 }],
  ["REQUEST_TIMEOUT", "300", { requestTimeoutMs: 300_000 }],
  ["MANAGED_QUEUES", "thumbnailGeneration", { managedQueues: ["thumbnailGeneration"] }],
  ["MANAGED_QUEUES", " smartSearch , faceDetection,ocr ", { managedQueues: ["smartSearch", "faceDetection", "ocr"] }],
  ["MANAGED_QUEUES", "smartSearch,ocr,", { managedQueues: ["smartSearch", "ocr"] }],
  // Unknown names are the server's business (a warning at run time).
  ["MANAGED_QUEUES", "smartSearch,someFutureQueue", { managedQueues: ["smartSearch", "someFutureQueue"] }],
  ["ON_EXIT", "resume", { onExit: "resume" }],
  ["ON_EXIT", "keep", { onExit: "keep" }],
  ["ON_EXIT", "KEEP", { onExit: "keep" }],
  ...(["true", "TRUE", "1", "yes", "Yes"] as const).map((v): [string, string, Partial<Config>] => ["DRY_RUN", v, { dryRun: true }]),
  ...(["false", "False", "0", "no", "NO"] as const).map((v): [string, string, Partial<Config>] => ["DRY_RUN", v, { dryRun: false }]),
  ...(["debug", "info", "warn", "error"] as const).map((v): [string, string, Partial<Config>] => ["LOG_LEVEL", v, { logLevel: v }]),
  ["LOG_LEVEL", "DEBUG", { logLevel: "debug" }],
  ["LOG_FORMAT", "text", { logFormat: "text" }],
  ["LOG_FORMAT", "json", { logFormat: "json" }],
  ["LOG_FORMAT", "JSON", { logFormat: "json" }],
  ["STATE_FILE", "/var/lib/immich-job-daemon/state.json", { stateFile: "/var/lib/immich-job-daemon/state.json" }],
  ["STATE_FILE", "state.json", { stateFile: "state.json" }],
  ["STATE_DIRECTORY", "/var/lib/immich-job-daemon", { stateFile: "/var/lib/immich-job-daemon/state.json" }],
  ["STATE_DIRECTORY", "/var/lib/immich-job-daemon/", { stateFile: "/var/lib/immich-job-daemon/state.json" }],
  ["STATE_DIRECTORY", "/var/lib/a:/var/lib/b", { stateFile: "/var/lib/a/state.json" }],
  ["HEALTH_FILE", "/run/ijd/health.json", { healthFile: "/run/ijd/health.json" }],
  ["TMPDIR", "/var/tmp/", { healthFile: "/var/tmp/immich-job-daemon.health.json" }],
];

describe("accepted values", () => {
  test.each(valid)("%s=%p", (name, value, expected) => {
    expect(ok({ [name]: value })).toMatchObject(expected);
  });

  test("STATE_FILE wins over STATE_DIRECTORY", () => {
    expect(ok({ STATE_FILE: "/x/s.json", STATE_DIRECTORY: "/var/lib/d" }).stateFile).toBe("/x/s.json");
  });

  test("a protected queue is managed when also listed in UNSAFE_QUEUES", () => {
    const c = ok({ MANAGED_QUEUES: "thumbnailGeneration,backgroundTask", UNSAFE_QUEUES: "backgroundTask" });
    expect(c.managedQueues).toEqual(["thumbnailGeneration", "backgroundTask"]);
    expect(c.unsafeQueues).toEqual(["backgroundTask"]);
  });

  test("UNSAFE_QUEUES alone does not add the queue to the managed ones", () => {
    const c = ok({ UNSAFE_QUEUES: "notifications" });
    expect(c.managedQueues).toEqual([...DEFAULT_PRIORITY]);
    expect(c.unsafeQueues).toEqual(["notifications"]);
  });
});

// [variable, value given, pattern the one error message must match]
const invalid: [string, string, RegExp][] = [
  ["IMMICH_URL", "nas:2283", /must start with http:\/\/ or https:\/\//],
  ["IMMICH_URL", "ftp://nas", /must start with http:\/\/ or https:\/\//],
  ["IMMICH_URL", "http://", /is not a URL/],
  ["IMMICH_URL", "not a url", /is not a URL/],
  ["IMMICH_URL", "http://nas:2283/photos", /path \/photos.*cannot be served under a sub-path.*http:\/\/nas:2283/],
  ["IMMICH_URL", "http://nas:2283/photos/api", /cannot be served under a sub-path/],
  ["IMMICH_URL", "http://nas:2283/api/server/ping", /cannot be served under a sub-path/],
  ["IMMICH_URL", "http://nas:2283/?x=1", /query/],
  ["IMMICH_URL", "http://nas:2283/#top", /fragment/],
  ["IMMICH_URL", "http://bob:secret@nas:2283", /user name or password/],
  ["MAX_CONCURRENT_JOBS", "0", /MAX_CONCURRENT_JOBS="0": must be at least 1\. Accepts a whole number from 1 to 1000; or auto/],
  ["MAX_CONCURRENT_JOBS", "-1", /must be at least 1/],
  ["MAX_CONCURRENT_JOBS", "1.5", /not a whole number/],
  ["MAX_CONCURRENT_JOBS", "two", /is not a number/],
  ["MAX_CONCURRENT_JOBS", "0x10", /is not a number/],
  ["MAX_CONCURRENT_JOBS", "1e2", /is not a number/],
  ["POLL_INTERVAL", "0", /must be at least 0.1/],
  ["POLL_INTERVAL", "0.05", /must be at least 0.1/],
  ["POLL_INTERVAL", "3601", /must be at most 3600/],
  ["POLL_INTERVAL", "10s", /is not a number.*Accepts seconds, 0.1 to 3600/],
  ["POLL_INTERVAL", "-5", /must be at least 0.1/],
  ["REQUEST_TIMEOUT", "0", /must be at least 0.1/],
  ["REQUEST_TIMEOUT", "301", /must be at most 300/],
  ["REQUEST_TIMEOUT", "ten", /is not a number/],
  ["MANAGED_QUEUES", ",", /lists no queue/],
  ["MANAGED_QUEUES", "thumbnail generation", /"thumbnail generation" is not a queue name/],
  ["MANAGED_QUEUES", "smartSearch;ocr", /"smartSearch;ocr" is not a queue name/],
  ["MANAGED_QUEUES", "ocr,smartSearch,ocr", /lists ocr more than once/],
  ["MANAGED_QUEUES", "ocr,backgroundTask", /backgroundTask, which must not be paused \(deletions, trash.*also list it in UNSAFE_QUEUES/],
  ["MANAGED_QUEUES", "notifications", /notifications, which must not be paused/],
  ["MANAGED_QUEUES", "backupDatabase", /backupDatabase, which must not be paused/],
  ["MANAGED_QUEUES", "editor", /editor, which must not be paused/],
  ["MANAGED_QUEUES", "workflow", /workflow, which must not be paused/],
  ["MANAGED_QUEUES", "search", /search, which must not be paused/],
  ["UNSAFE_QUEUES", "sidecar", /sidecar is not a protected queue/],
  ["UNSAFE_QUEUES", "backgroundTask,backgroundTask", /lists backgroundTask more than once/],
  ["UNSAFE_QUEUES", "back ground", /"back ground" is not a queue name/],
  ["ON_EXIT", "pause", /ON_EXIT="pause": is not one of the accepted values\. Accepts resume or keep\./],
  ["DRY_RUN", "maybe", /not a yes\/no value\. Accepts true\/false, 1\/0, yes\/no/],
  ["DRY_RUN", "on", /not a yes\/no value/],
  ["LOG_LEVEL", "verbose", /Accepts debug, info, warn or error/],
  ["LOG_FORMAT", "xml", /Accepts text or json/],
];

describe("refused values", () => {
  test.each(invalid)("%s=%p", (name, value, pattern) => {
    const e = oneError({ [name]: value });
    expect(e.variable).toBe(name);
    expect(e.message).toMatch(pattern);
    expect(e.message.startsWith(`${name}=`)).toBe(true);
    expect(e.message).not.toContain("\n");
  });

  test("the value is quoted in the message, so blanks and quotes are visible", () => {
    expect(oneError({ LOG_LEVEL: 'in"fo' }).message).toStartWith('LOG_LEVEL="in\\"fo":');
  });
});

describe("the API key", () => {
  test("missing: one error naming both ways to give it", () => {
    const errs = errors({});
    expect(errs).toHaveLength(1);
    expect(errs[0]!.variable).toBe("API_KEY");
    expect(errs[0]!.message).toMatch(/^API_KEY is not set: .*set API_KEY or API_KEY_FILE/);
  });

  test("surrounding whitespace of API_KEY is dropped", () => {
    expect(ok({ API_KEY: `  ${KEY}\n` }).apiKey).toBe(KEY);
  });

  test("a key with a space inside is refused and not shown", () => {
    const e = oneError({ API_KEY: "abcdefgh ijklmnopqrstuvwxyz" });
    expect(e.variable).toBe("API_KEY");
    expect(e.message).toMatch(/API_KEY="abcd…": contains spaces or characters an API key cannot have/);
    expect(e.message).not.toContain("ijklmnop");
  });

  test("a short bad key shows none of its characters", () => {
    const e = oneError({ API_KEY: "ab cd" });
    expect(e.value).toBe("…");
    expect(e.message).not.toContain("ab");
  });

  const dir = mkdtempSync(join(tmpdir(), "ijd-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("API_KEY_FILE: the key is read and trimmed", () => {
    const path = join(dir, "key");
    writeFileSync(path, `\n  ${KEY}  \n\n`);
    const c = loadConfig({ API_KEY_FILE: path }, realFile);
    expect(c.ok && c.config.apiKey).toBe(KEY);
    expect(c.ok && c.config.apiKeyFile).toBe(path);
  });

  test("API_KEY_FILE that does not exist: an error naming the file", () => {
    const path = join(dir, "missing");
    const errs = errors({ API_KEY_FILE: path }, realFile);
    expect(errs.map((e) => e.message)).toEqual([
      `API_KEY_FILE=${JSON.stringify(path)}: cannot read the file (no such file). Accepts the path of a readable file holding only the key (surrounding whitespace is ignored).`,
    ]);
  });

  test("API_KEY_FILE that is a directory", () => {
    expect(errors({ API_KEY_FILE: dir }, realFile)[0]!.message).toMatch(/cannot read the file \(it is a directory\)/);
  });

  test("API_KEY_FILE unreadable for another reason: the reader's own words", () => {
    const reader = () => {
      throw Object.assign(new Error("EIO: i/o error, read\n    at stack"), { code: "EIO" });
    };
    const msg = errors({ API_KEY_FILE: "/k" }, reader)[0]!.message;
    expect(msg).toMatch(/cannot read the file \(EIO: i\/o error, read\)/);
    expect(msg).not.toContain("at stack");
  });

  test("API_KEY_FILE permission denied", () => {
    const reader = () => {
      throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    };
    expect(errors({ API_KEY_FILE: "/k" }, reader)[0]!.message).toMatch(/\(permission denied\)/);
  });

  test("API_KEY_FILE empty or holding more than a key; its content is never shown", () => {
    expect(errors({ API_KEY_FILE: "/k" }, () => "  \n")[0]!.message).toMatch(/the file is empty/);
    const msg = errors({ API_KEY_FILE: "/k" }, () => "KEY1secretsecret\nKEY2secretsecret\n")[0]!.message;
    expect(msg).toMatch(/holds more than one key/);
    expect(msg).not.toContain("secret");
  });

  test("API_KEY and API_KEY_FILE both set: an error, and the file is not read", () => {
    let read = false;
    const errs = errors({ API_KEY: KEY, API_KEY_FILE: "/run/secrets/key" }, () => {
      read = true;
      return KEY;
    });
    expect(read).toBe(false);
    expect(errs).toHaveLength(1);
    expect(errs[0]!.message).toMatch(/^API_KEY_FILE="\/run\/secrets\/key": API_KEY is set too; set only one of them\.$/);
    expect(errs[0]!.message).not.toContain(KEY.slice(4));
  });
});

describe("every problem at once", () => {
  test("one error per bad variable, in documented order, nothing valid reported", () => {
    const errs = errors({
      LOG_FORMAT: "xml",
      IMMICH_URL: "http://nas/photos",
      MAX_CONCURRENT_JOBS: "0",
      POLL_INTERVAL: "fast",
      MANAGED_QUEUES: "ocr,ocr,backgroundTask,x y",
      UNSAFE_QUEUES: "sidecar",
      ON_EXIT: "explode",
      DRY_RUN: "perhaps",
      LOG_LEVEL: "loud",
      REQUEST_TIMEOUT: "0",
      STATE_FILE: "/var/lib/ok/state.json",
    });
    expect(errs.map((e) => e.variable)).toEqual([
      "IMMICH_URL",
      "API_KEY",
      "MAX_CONCURRENT_JOBS",
      "POLL_INTERVAL",
      "MANAGED_QUEUES",
      "UNSAFE_QUEUES",
      "ON_EXIT",
      "DRY_RUN",
      "LOG_LEVEL",
      "LOG_FORMAT",
      "REQUEST_TIMEOUT",
    ]);
    // A list gathers all its problems into its one line.
    const managed = errs.find((e) => e.variable === "MANAGED_QUEUES")!.message;
    expect(managed).toContain('"x y" is not a queue name');
    expect(managed).toContain("lists ocr more than once");
    expect(managed).toContain("backgroundTask, which must not be paused");
    for (const e of errs) expect(e.message).not.toContain("\n");
  });

  test("the URL's password never appears in an error", () => {
    const e = oneError({ IMMICH_URL: "http://bob:hunter2@nas:2283/photos" });
    expect(e.message).not.toContain("hunter2");
    expect(e.message).not.toContain("bob");
  });
});
