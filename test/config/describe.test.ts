// The start-up line, redaction, and the variables table --help and the
// README print from.

import { describe, expect, test } from "bun:test";
import {
  CONFIG_VARIABLES,
  type Config,
  describeConfig,
  formatConfigErrors,
  loadConfig,
  redactSecret,
  redactUrl,
  variablesHelp,
  variablesMarkdown,
} from "../../src/config/index.ts";

const KEY = "abcdEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq";

function config(env: Record<string, string>): Config {
  const r = loadConfig({ API_KEY: KEY, ...env }, () => `  ${KEY}\n`);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join(" | "));
  return r.config;
}

describe("describeConfig", () => {
  test("defaults, with the key cut to its first 4 characters", () => {
    expect(describeConfig(config({}))).toBe(
      "url=http://127.0.0.1:2283 key=abcd… max=1 poll=10s min-poll=1s max-wait=10m timeout=10s " +
        "queues=sidecar,metadataExtraction,storageTemplateMigration,thumbnailGeneration,smartSearch,duplicateDetection,faceDetection,facialRecognition,ocr,videoConversion,library,migration,integrityCheck " +
        "unsafe=- on-exit=resume dry-run=no state=- log=info/text",
    );
  });

  test("every setting shows up", () => {
    const line = describeConfig(
      config({
        IMMICH_URL: "https://photos.example.org/api/",
        MAX_CONCURRENT_JOBS: "2",
        POLL_INTERVAL: "0.5",
        REQUEST_TIMEOUT: "2.5",
        MANAGED_QUEUES: "smartSearch,backgroundTask",
        UNSAFE_QUEUES: "backgroundTask",
        ON_EXIT: "keep",
        DRY_RUN: "yes",
        LOG_LEVEL: "debug",
        LOG_FORMAT: "json",
        STATE_DIRECTORY: "/var/lib/ijd",
      }),
    );
    expect(line).toBe(
      "url=https://photos.example.org key=abcd… max=2 poll=0.5s min-poll=0.5s max-wait=10m timeout=2.5s queues=smartSearch,backgroundTask " +
        "unsafe=backgroundTask on-exit=keep dry-run=yes state=/var/lib/ijd/state.json log=debug/json",
    );
    expect(line).not.toContain("\n");
  });

  test("a key from a file is named by its file, not shown at all", () => {
    const r = loadConfig({ API_KEY_FILE: "/run/secrets/immich" }, () => `${KEY}\n`);
    expect(r.ok).toBe(true);
    const line = describeConfig((r as { config: Config }).config);
    expect(line).toContain("key=(from file /run/secrets/immich)");
    expect(line).not.toContain("abcd");
  });

  test("the key itself never appears", () => {
    expect(describeConfig(config({}))).not.toContain(KEY.slice(0, 5));
  });
});

describe("redaction", () => {
  test.each([
    [KEY, "abcd…"],
    ["123456789012", "1234…"],
    ["12345678901", "…"],
    ["", "…"],
  ])("redactSecret(%p) = %p", (secret, shown) => {
    expect(redactSecret(secret)).toBe(shown);
  });

  test.each([
    ["http://nas:2283", "http://nas:2283"],
    ["http://bob:hunter2@nas:2283/x", "http://***@nas:2283/x"],
    ["http://bob@nas:2283", "http://***@nas:2283/"],
    ["bob:hunter2@nas", "***@nas"],
    ["http://nas:2283/?apiKey=hunter2", "http://nas:2283/?***"],
    ["http://nas:2283/#hunter2", "http://nas:2283/#***"],
    ["nas:2283/x?key=hunter2", "nas:2283/x?***"],
  ])("redactUrl(%p) = %p", (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
    expect(redactUrl(url)).not.toContain("hunter2");
  });
});

describe("the variables table", () => {
  test("lists every variable the daemon reads, the seed's four first", () => {
    expect(CONFIG_VARIABLES.map((v) => v.name)).toEqual([
      "IMMICH_URL",
      "API_KEY",
      "API_KEY_FILE",
      "MAX_CONCURRENT_JOBS",
      "POLL_INTERVAL",
      "MIN_POLL_INTERVAL",
      "MAX_WAIT",
      "MANAGED_QUEUES",
      "UNSAFE_QUEUES",
      "ON_EXIT",
      "DRY_RUN",
      "LOG_LEVEL",
      "LOG_FORMAT",
      "REQUEST_TIMEOUT",
      "EXIT_TIMEOUT",
      "WINDOWS",
      "TZ",
      "ML_URL",
      "MAX_PRESSURE",
      "TUNE_CONCURRENCY",
      "PRESSURE_URL",
      "PRESSURE_DIR",
      "STATE_FILE",
      "HEALTH_FILE",
      "STATUS_ADDR",
      "CONTROL_TOKEN",
      "CONTROL_TOKEN_FILE",
      "NOTIFY_URL",
      "NOTIFY_TOKEN",
      "NOTIFY_TOKEN_FILE",
      "NOTIFY_OUTAGE_AFTER",
      "STATE_DIRECTORY",
      "CONFIG_FILE",
    ]);
  });

  test("every row is filled in, and the defaults are the ones applied", () => {
    for (const v of CONFIG_VARIABLES) {
      expect(v.default.length).toBeGreaterThan(0);
      expect(v.accepted.length).toBeGreaterThan(0);
      expect(v.meaning.length).toBeGreaterThan(0);
    }
    const row = (name: string) => CONFIG_VARIABLES.find((v) => v.name === name)!.default;
    const c = config({});
    expect(row("IMMICH_URL")).toBe(c.immichUrl);
    expect(row("MAX_CONCURRENT_JOBS")).toBe(String(c.maxConcurrentJobs));
    expect(row("POLL_INTERVAL")).toBe(String(c.pollIntervalMs / 1000));
    expect(row("REQUEST_TIMEOUT")).toBe(String(c.requestTimeoutMs / 1000));
    expect(row("MANAGED_QUEUES")).toBe(c.managedQueues.join(","));
    expect(row("ON_EXIT")).toBe(c.onExit);
    expect(row("DRY_RUN")).toBe(String(c.dryRun));
    expect(row("LOG_LEVEL")).toBe(c.logLevel);
    expect(row("LOG_FORMAT")).toBe(c.logFormat);
  });

  test("an error's 'Accepts' is the table's words", () => {
    const r = loadConfig({ API_KEY: KEY, LOG_FORMAT: "xml" }, () => "");
    const accepted = CONFIG_VARIABLES.find((v) => v.name === "LOG_FORMAT")!.accepted;
    expect(!r.ok && r.errors[0]!.message).toEndWith(`Accepts ${accepted}.`);
  });

  test("help text and Markdown carry every variable", () => {
    const help = variablesHelp();
    const md = variablesMarkdown();
    for (const v of CONFIG_VARIABLES) {
      expect(help).toContain(`  ${v.name} (default: ${v.default})`);
      expect(md).toContain(`| \`${v.name}\` |`);
    }
    expect(md.split("\n")).toHaveLength(CONFIG_VARIABLES.length + 2);
  });
});

test("formatConfigErrors: a heading, then one line per problem", () => {
  const r = loadConfig({ MAX_CONCURRENT_JOBS: "0" }, () => "");
  expect(r.ok).toBe(false);
  const text = formatConfigErrors((r as { errors: Parameters<typeof formatConfigErrors>[0] }).errors);
  expect(text.split("\n")).toEqual([
    "The configuration has 2 problems:",
    expect.stringMatching(/^ {2}- API_KEY is not set: /),
    expect.stringMatching(/^ {2}- MAX_CONCURRENT_JOBS="0": must be at least 1\./),
  ]);
});
