// The binary is built with .env and bunfig.toml autoloading off
// (scripts/build.ts): run from a directory holding both, it behaves exactly
// as it does anywhere else. A compiled Bun binary would otherwise read them.

import { afterAll, beforeAll, expect, test, setDefaultTimeout } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnv, runBinary } from "./helpers.ts";
import { type E2ESim, KEYS, startE2ESim } from "./helpers-sim.ts";

// Real processes on a loaded 2-core machine: more than Bun's default 5 s
// (bunfig.toml's [test] timeout is not applied by Bun 1.4.5).
setDefaultTimeout(15_000);

let dir: string;
let sim: E2ESim;
const marker = () => join(dir, "preloaded");

beforeAll(async () => {
  sim = await startE2ESim();
  dir = mkdtempSync(join(tmpdir(), "ijd-e2e-cwd-"));
  writeFileSync(
    join(dir, ".env"),
    ["API_KEY=wrong", "IMMICH_URL=http://127.0.0.1:1", "MAX_CONCURRENT_JOBS=0", "LOG_FORMAT=json", "DRY_RUN=true", ""].join("\n"),
  );
  // Were bunfig.toml read, the preload would run first and leave a marker.
  writeFileSync(join(dir, "preload.ts"), `require("node:fs").writeFileSync(${JSON.stringify(marker())}, "x");\nconsole.log("PRELOADED");\n`);
  writeFileSync(join(dir, "bunfig.toml"), `preload = ["./preload.ts"]\nlogLevel = "debug"\n[define]\nBUILD_VERSION = "\\"from-bunfig\\""\n`);
});

afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("the environment given is the one used: `once` works with the right key despite .env", async () => {
  const exit = await runBinary(["once"], cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon }), { cwd: dir });
  expect(exit.code).toBe(0);
  expect(exit.stderr).toBe("");
  expect(exit.stdout).not.toContain("PRELOADED");
  expect(exit.stdout).not.toContain("[dry run]");
  expect(exit.stdout).toMatch(/^\S+ INFO  paused sidecar/m); // text, not JSON
  expect(sim.changesBy("daemon").length).toBeGreaterThan(0);
  expect(existsSync(marker())).toBe(false);
});

test("without API_KEY in the environment, .env does not supply one", async () => {
  const exit = await runBinary(["once"], cleanEnv({ IMMICH_URL: sim.url }), { cwd: dir });
  expect(exit.code).toBe(2);
  expect(exit.stderr).toContain("API_KEY is not set");
  // Only the missing key: MAX_CONCURRENT_JOBS=0 and the rest of .env were not read.
  expect(exit.stderr).toContain("The configuration has a problem:");
  expect(existsSync(marker())).toBe(false);
});

test("--version is the baked one, not a bunfig define", async () => {
  const exit = await runBinary(["--version"], cleanEnv(), { cwd: dir });
  expect(exit.code).toBe(0);
  expect(exit.stdout).not.toContain("from-bunfig");
  expect(exit.stdout).not.toContain("PRELOADED");
});
