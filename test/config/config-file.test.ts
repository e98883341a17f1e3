// CONFIG_FILE through loadConfig: a JSON object of the variables, keys in
// either case (as Home Assistant writes an add-on's /data/options.json), the
// environment winning, the same checks with errors naming the key and the
// file, and every way the file itself can be wrong said in one line. The
// bounded read is the real one (src/shared/bounded-read.ts).

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withConfigFile } from "../../src/config/config-file.ts";
import { formatConfigErrors, loadConfig } from "../../src/config/index.ts";
import { readFileLimited } from "../../src/shared/bounded-read.ts";

const KEY = "k3yABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn";
const dir = mkdtempSync(join(tmpdir(), "ijd-config-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The reader main.ts gives the commands (bounded at 64 KB). */
const read = (path: string) => readFileLimited(path);

let n = 0;
/** A file holding `content` (an object is written as JSON). */
function file(content: unknown): string {
  const path = join(dir, `options-${n++}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const load = (env: Record<string, string | undefined>) => loadConfig(env, read);
function config(env: Record<string, string | undefined>) {
  const r = load(env);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join(" | "));
  return r.config;
}
function messages(env: Record<string, string | undefined>): string[] {
  const r = load(env);
  if (r.ok) throw new Error("expected errors");
  return r.errors.map((e) => e.message);
}

describe("CONFIG_FILE's values", () => {
  test("keys in lower case (Home Assistant's options) or capitals; numbers, booleans, lists and null as the environment would hold them", () => {
    const path = file({
      immich_url: "http://192.168.1.10:2283",
      api_key: KEY,
      MAX_CONCURRENT_JOBS: 3,
      poll_interval: 2.5,
      dry_run: true,
      managed_queues: ["thumbnailGeneration", "metadataExtraction"],
      windows: null,
    });
    const c = config({ CONFIG_FILE: path });
    expect(c).toMatchObject({ immichUrl: "http://192.168.1.10:2283", apiKey: KEY, maxConcurrentJobs: 3, pollIntervalMs: 2500, dryRun: true, managedQueues: ["thumbnailGeneration", "metadataExtraction"] });
    expect(c.schedule).toBeUndefined();
  });

  test("the environment wins over the file; an empty variable counts as unset (an image's defaults blanked)", () => {
    const path = file({ api_key: KEY, max_concurrent_jobs: 3, poll_interval: 30 });
    const c = config({ CONFIG_FILE: path, MAX_CONCURRENT_JOBS: "5", POLL_INTERVAL: "" });
    expect(c.maxConcurrentJobs).toBe(5);
    expect(c.pollIntervalMs).toBe(30_000);
  });

  test("a bad value from the file: the same error as from the environment, naming the key and the file", () => {
    const path = file({ api_key: KEY, max_concurrent_jobs: 0, log_level: "loud" });
    const env = messages({ API_KEY: KEY, MAX_CONCURRENT_JOBS: "0", LOG_LEVEL: "loud" });
    expect(messages({ CONFIG_FILE: path })).toEqual([
      env[0]!.replace('MAX_CONCURRENT_JOBS="0"', `MAX_CONCURRENT_JOBS="0" (key "max_concurrent_jobs" of CONFIG_FILE ${path})`),
      env[1]!.replace('LOG_LEVEL="loud"', `LOG_LEVEL="loud" (key "log_level" of CONFIG_FILE ${path})`),
    ]);
    // The environment's own value is not blamed on the file.
    expect(messages({ CONFIG_FILE: file({ api_key: KEY }), MAX_CONCURRENT_JOBS: "0" })).toEqual([env[0]!]);
  });

  test("a key from the file stays secret in errors", () => {
    const path = file({ api_key: "has space" });
    const [m] = messages({ CONFIG_FILE: path });
    expect(m).toStartWith(`API_KEY="…" (key "api_key" of CONFIG_FILE ${path}): `);
    expect(m).not.toContain("has space");
  });

  test("without CONFIG_FILE, nothing is read", () => {
    let reads = 0;
    loadConfig({ API_KEY: KEY }, () => {
      reads++;
      return "{}";
    });
    expect(reads).toBe(0);
  });
});

describe("a CONFIG_FILE that is wrong: one line each, naming the file, with every other problem", () => {
  test.each<[string, unknown, string]>([
    ["not JSON", "{ api_key: 1 ", 'is not valid JSON ('],
    ["a list", [1, 2], "holds a list, not an object of variables"],
    ["a string", '"API_KEY=x"', "holds a string, not an object of variables"],
    ["an unknown key close to a variable", { api_key: KEY, max_concurent_jobs: 2 }, 'key "max_concurent_jobs" is not a variable the daemon reads; did you mean max_concurrent_jobs (MAX_CONCURRENT_JOBS)?'],
    ["a key in mixed case", { Api_Key: KEY }, 'key "Api_Key" is not a variable the daemon reads; did you mean api_key (API_KEY)?'],
    ["an unknown key", { api_key: KEY, colour: "red" }, 'key "colour" is not a variable the daemon reads; keys are the variables\' names, in capitals or lower case (see --help)'],
    ["one variable twice", { api_key: KEY, API_KEY: KEY }, 'key "API_KEY" sets API_KEY again (so does "api_key"); keep one of them'],
    ["an object value", { api_key: KEY, windows: { ml: "22:00-06:00" } }, 'key "windows" is an object; give a string, a number, true/false or a list'],
    ["a list of objects", { api_key: KEY, managed_queues: [{ q: 1 }] }, 'key "managed_queues" is a list of something other than strings and numbers'],
    ["another CONFIG_FILE", { api_key: KEY, config_file: "/x" }, 'key "config_file" cannot name another file: set CONFIG_FILE in the environment only'],
  ])("%s", (_, content, problem) => {
    const path = file(content);
    const all = messages({ CONFIG_FILE: path });
    const line = all.find((m) => m.startsWith(`CONFIG_FILE=${JSON.stringify(path)}: `));
    expect(line).toBeDefined();
    expect(line!.slice(`CONFIG_FILE=${JSON.stringify(path)}: `.length)).toStartWith(problem);
    expect(line).not.toContain("\n");
  });

  test("missing, a directory, or larger than 64 KB (a device that never ends too): read no further", () => {
    const tail = (path: string) => messages({ CONFIG_FILE: path, API_KEY: KEY })[0]!.slice(`CONFIG_FILE=${JSON.stringify(path)}: `.length);
    expect(tail(join(dir, "none.json"))).toBe("cannot read the file (no such file).");
    expect(tail(dir)).toBe("cannot read the file (it is a directory).");
    expect(tail(file(`{"api_key": "${"x".repeat(70_000)}"}`))).toBe("cannot read the file (larger than 64 KB: is this the right file?).");
    expect(tail("/dev/zero")).toBe("cannot read the file (larger than 64 KB: is this the right file?).");
  });

  test("its problems are listed with the rest, under one heading", () => {
    const path = file({ api_key: KEY, colour: "red", max_concurrent_jobs: 0 });
    const r = load({ CONFIG_FILE: path, LOG_FORMAT: "xml" });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const text = formatConfigErrors(r.errors);
      expect(text.split("\n")[0]).toBe("The configuration has 3 problems:");
      expect(text).toContain(`MAX_CONCURRENT_JOBS="0" (key "max_concurrent_jobs" of CONFIG_FILE ${path})`);
      expect(text).toContain('LOG_FORMAT="xml": ');
      expect(text).toContain(`CONFIG_FILE=${JSON.stringify(path)}: key "colour"`);
    }
  });

  test("withConfigFile says which variable came from which key", () => {
    const path = file({ api_key: KEY, POLL_INTERVAL: 3 });
    expect(withConfigFile({ CONFIG_FILE: path, POLL_INTERVAL: "9" }, read)).toMatchObject({ fromFile: { API_KEY: "api_key" }, errors: [], path });
  });
});
