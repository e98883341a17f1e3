// The variables of rule 15: MAX_CONCURRENT_JOBS=auto[:MIN-MAX], TUNE_CONCURRENCY,
// PRESSURE_URL, PRESSURE_DIR, and MAX_PRESSURE's default target under auto;
// bad input is one line naming the variable.
import { describe, expect, test } from "bun:test";
import { describeConfig } from "../../src/config/describe.ts";
import { loadConfig } from "../../src/config/load.ts";

const base = { API_KEY: "k" };
const load = (env: Record<string, string>) => loadConfig({ ...base, ...env }, () => "");
const problems = (env: Record<string, string>) => {
  const r = load(env);
  return r.ok ? [] : r.errors.map((e) => e.message);
};

describe("MAX_CONCURRENT_JOBS=auto", () => {
  test("auto: the range 1-4, starting at its lower bound, with MAX_PRESSURE's default target cpu=40", () => {
    const r = load({ MAX_CONCURRENT_JOBS: "auto" });
    if (!r.ok) throw new Error(r.errors[0]!.message);
    expect(r.config.autoRange).toEqual({ min: 1, max: 4 });
    expect(r.config.maxConcurrentJobs).toBe(1);
    expect(r.config.maxPressure).toEqual({ cpu: 40 });
  });

  test("auto:2-3 with a target of its own", () => {
    const r = load({ MAX_CONCURRENT_JOBS: "Auto:2-3", MAX_PRESSURE: "cpu=30,io=50" });
    if (!r.ok) throw new Error(r.errors[0]!.message);
    expect(r.config.autoRange).toEqual({ min: 2, max: 3 });
    expect(r.config.maxConcurrentJobs).toBe(2);
    expect(r.config.maxPressure).toEqual({ cpu: 30, io: 50 });
  });

  test("a fixed N stays as it was: no range, no default target", () => {
    const r = load({ MAX_CONCURRENT_JOBS: "2" });
    if (!r.ok) throw new Error(r.errors[0]!.message);
    expect(r.config.autoRange).toBeUndefined();
    expect(r.config.maxPressure).toBeUndefined();
    expect(r.config.tuneConcurrency).toBeUndefined();
  });

  test.each([
    ["auto:4-1", 'MAX_CONCURRENT_JOBS="auto:4-1": the range 4-1 is upside down; write auto:1-4.'],
    ["auto:0-2", 'MAX_CONCURRENT_JOBS="auto:0-2": the range\'s lower bound must be at least 1, not 0.'],
    ["auto:1-", 'MAX_CONCURRENT_JOBS="auto:1-": "auto:1-" is not auto or auto:MIN-MAX (e.g. auto:1-3).'],
  ])("%s is refused, naming the variable", (value, start) => {
    const p = problems({ MAX_CONCURRENT_JOBS: value });
    expect(p).toHaveLength(1);
    expect(p[0]!.startsWith(start)).toBe(true);
  });

  test("a target out of range is refused, naming MAX_PRESSURE", () => {
    expect(problems({ MAX_CONCURRENT_JOBS: "auto", MAX_PRESSURE: "cpu=140" })).toEqual([
      expect.stringMatching(/^MAX_PRESSURE="cpu=140": "140" for cpu is not a percentage above 0 and at most 100/),
    ]);
  });
});

describe("TUNE_CONCURRENCY, PRESSURE_URL, PRESSURE_DIR", () => {
  test("tuning on, with a remote source and a PSI directory", () => {
    const r = load({ TUNE_CONCURRENCY: "yes", PRESSURE_URL: "http://nas:9100/metrics", PRESSURE_DIR: "/tmp/psi", STATE_FILE: "/var/lib/ijd/state.json" });
    if (!r.ok) throw new Error(r.errors[0]!.message);
    expect(r.config.tuneConcurrency).toBe(true);
    expect(r.config.pressureUrl).toBe("http://nas:9100/metrics");
    expect(r.config.pressureDir).toBe("/tmp/psi");
    expect(r.config.maxPressure).toEqual({ cpu: 40 });
  });

  test.each([
    ["ftp://nas/metrics", /^PRESSURE_URL="ftp:\/\/nas\/metrics": must start with http:\/\/ or https:\/\/, not ftp:/],
    ["nas:9100", /^PRESSURE_URL="nas:9100": must start with http:\/\/ or https:\/\//],
    ["metrics", /^PRESSURE_URL="metrics": is not a URL/],
  ])("PRESSURE_URL=%s is refused", (value, want) => {
    expect(problems({ PRESSURE_URL: value })).toEqual([expect.stringMatching(want)]);
  });

  test("tuning without a state file is refused: the owner's values must survive a crash", () => {
    expect(problems({ TUNE_CONCURRENCY: "true" })).toEqual([
      'TUNE_CONCURRENCY="true": needs STATE_FILE (or STATE_DIRECTORY): the owner\'s job concurrency is kept there before the first change, so that resume-all can put it back after a crash.',
    ]);
    expect(problems({ TUNE_CONCURRENCY: "true", DRY_RUN: "true" })).toEqual([]);
  });

  test("TUNE_CONCURRENCY=maybe is refused", () => {
    expect(problems({ TUNE_CONCURRENCY: "maybe" })).toEqual([expect.stringMatching(/^TUNE_CONCURRENCY="maybe": is not a yes\/no value/)]);
  });
});

test("the start-up line says auto, its range, tuning and the pressure source", () => {
  const r = load({ MAX_CONCURRENT_JOBS: "auto:1-3", TUNE_CONCURRENCY: "true", PRESSURE_URL: "http://nas:9100/metrics", STATE_DIRECTORY: "/var/lib/ijd" });
  if (!r.ok) throw new Error(r.errors[0]!.message);
  const line = describeConfig(r.config);
  expect(line).toContain(" max=auto:1-3 ");
  expect(line).toContain(" max-pressure=cpu=40 tune-concurrency=yes pressure-url=http://nas:9100/metrics");
});
