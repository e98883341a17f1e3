// The state file (DESIGN.md §2 rule 8): what it keeps across restarts, what
// it ignores with one line saying why, and that failing to write it is a
// warning, never the daemon's end.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Ownership } from "../../src/core/types.ts";
import { Daemon } from "../../src/daemon/daemon.ts";
import { memoryLog } from "../../src/daemon/log.ts";
import { StateSchema } from "../../src/daemon/file-schemas.ts";
import { fileStateStore, saveOwnership, STATE_KEYS, STATE_VERSION, type StateStore } from "../../src/daemon/state-file.ts";
import { VERSION } from "../../src/shared/version.ts";
import { createImmichClient } from "../../src/immich/index.ts";
import { VirtualClock } from "../../src/shared/clock.ts";

const URL_A = "http://127.0.0.1:2283";
const OWNED: Ownership = { pausedByUs: ["ocr", "smartSearch"], runningByUs: ["sidecar"], held: ["videoConversion"] };

const made: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), "ijd-state-"));
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe("fileStateStore", () => {
  test("what is saved is loaded back, for the same server; the directory is made if missing", () => {
    const path = join(dir(), "sub", "state.json");
    const store = fileStateStore(path, URL_A);
    expect(store.load()).toEqual({});
    store.save(OWNED);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ version: 1, writtenBy: VERSION, immichUrl: URL_A, ...OWNED });
    expect(fileStateStore(path, URL_A).load()).toEqual({ ownership: OWNED });
  });

  test("the owner's instructions (key control) are kept beside the ownership: saving either keeps the other; a file without them loads", () => {
    const path = join(dir(), "state.json");
    const store = fileStateStore(path, URL_A);
    store.load();
    store.save(OWNED);
    const control = { all: { at: 1, by: "127.0.0.1", channel: "page" as const, until: 2 }, n: { at: 1, by: "cli", channel: "cli" as const, n: 3, until: 5 } };
    store.saveControl(control);
    expect(fileStateStore(path, URL_A).load()).toEqual({ ownership: OWNED, control });
    store.save({ ...OWNED, held: [] });
    expect(fileStateStore(path, URL_A).load()).toEqual({ ownership: { ...OWNED, held: [] }, control });
    // Nothing asked: no key written (the file reads as before this feature).
    store.saveControl({});
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ version: 1, writtenBy: VERSION, immichUrl: URL_A, ...OWNED, held: [] });
  });

  test.each<[string, string, RegExp]>([
    ["not JSON", "{ half", /is not valid JSON; ignoring it$/],
    ["another program's JSON", '{"hello":1}', /is not a state file of this daemon; ignoring it$/],
    ["another server's file", JSON.stringify({ version: 1, immichUrl: "http://127.0.0.2:2283", ...OWNED }), /is for http:\/\/127\.0\.0\.2:2283, not http:\/\/127\.0\.0\.1:2283; ignoring it$/],
  ])("%s: ignored, with one line saying why", (_, text, problem) => {
    const path = join(dir(), "state.json");
    writeFileSync(path, text);
    const r = fileStateStore(path, URL_A).load();
    expect(r.ownership).toBeUndefined();
    expect(r.problem).toMatch(problem);
    expect(r.problem).not.toContain("\n");
  });

  test("the format this version writes is 1: optional keys are added without a bump", () => {
    expect(STATE_VERSION).toBe(1);
  });

  test("STATE_KEYS, the keys this version knows, are the schema's", () => {
    expect([...STATE_KEYS].sort()).toEqual(Object.keys(StateSchema.properties).sort());
  });

  test("a file of format 1 from 0.1.0 (no writtenBy): read, without a word; with keys this version does not know: read, saying they will be dropped", () => {
    const path = join(dir(), "state.json");
    const fixture = JSON.parse(readFileSync(join(import.meta.dir, "../fixtures/state/v1-written-by-0.1.0.json"), "utf8")) as Ownership & { immichUrl: string };
    writeFileSync(path, JSON.stringify(fixture));
    expect(fileStateStore(path, fixture.immichUrl).load()).toEqual({
      ownership: { pausedByUs: fixture.pausedByUs, runningByUs: fixture.runningByUs, held: fixture.held },
    });
    // Optional keys a later version of format 1 adds are skipped (their names shown only if they look like names).
    writeFileSync(path, JSON.stringify({ ...fixture, laterKey: { holds: ["ocr"] }, "bad\nname": 1, writtenBy: "1.4.0" }));
    expect(fileStateStore(path, fixture.immichUrl).load()).toEqual({
      ownership: { pausedByUs: fixture.pausedByUs, runningByUs: fixture.runningByUs, held: fixture.held },
      problem: `STATE_FILE ${path} holds what this version (${VERSION}) does not know (laterKey, ?), written by immich-job-daemon 1.4.0: reading the queues it records and dropping the rest at the next change`,
    });
  });

  test("a newer format (a downgrade): what this version understands is read, with one line saying so", () => {
    const path = join(dir(), "state.json");
    writeFileSync(path, JSON.stringify({ version: 3, writtenBy: "2.1.0", immichUrl: URL_A, ...OWNED, control: { anything: true } }));
    const r = fileStateStore(path, URL_A).load();
    expect(r.ownership).toEqual(OWNED);
    expect(r.problem).toBe(
      `STATE_FILE ${path} was written by immich-job-daemon 2.1.0 in state format 3; this is ${VERSION}, which writes format 1: ` +
        "reading the queues it records (paused, running, held) and nothing else, and rewriting the file in format 1 at the next change",
    );
  });

  test.each<[string, Record<string, unknown>, string]>([
    ["a newer format without the keys this version reads", { version: 2, immichUrl: URL_A, owned: {} }, "in state format 2, which this version (VERSION, format 1) cannot read: ignoring it; queues paused now are taken as the daemon's own at start"],
    ["a newer format that does not name its writer", { version: 7, immichUrl: URL_A, paused: [] }, "in state format 7, which this version (VERSION, format 1) cannot read: ignoring it; queues paused now are taken as the daemon's own at start"],
    ["format 0", { version: 0, immichUrl: URL_A, ...OWNED }, "is not a state file of this daemon; ignoring it"],
    ["a version that is not a whole number", { version: "1", immichUrl: URL_A, ...OWNED }, "is not a state file of this daemon; ignoring it"],
    ["format 1 with a key of the wrong shape", { version: 1, immichUrl: URL_A, ...OWNED, held: "ocr" }, "is not a state file of this daemon; ignoring it"],
  ])("%s: ignored with one line, never a crash", (_, data, tail) => {
    const path = join(dir(), "state.json");
    writeFileSync(path, JSON.stringify(data));
    const r = fileStateStore(path, URL_A).load();
    expect(r.ownership).toBeUndefined();
    expect(r.problem).toEndWith(tail.replace("VERSION", VERSION));
    expect(r.problem).not.toContain("\n");
  });

  test("saveOwnership: a file that cannot be written gives one line to warn with, not an exception", () => {
    const blocker = join(dir(), "a-file");
    writeFileSync(blocker, "");
    // A directory cannot be made under a file, even as root.
    const problem = saveOwnership(fileStateStore(join(blocker, "state.json"), URL_A), OWNED);
    expect(problem).toStartWith("could not write the state file: ");
    expect(problem).toEndWith("; make STATE_FILE's directory writable");
    expect(problem).not.toContain("\n");
    expect(saveOwnership(fileStateStore(join(dir(), "state.json"), URL_A), OWNED)).toBeUndefined();
  });
});

test("ON_EXIT=keep with a state file that cannot be written: the daemon warns and exits cleanly", async () => {
  const failing: StateStore = {
    load: () => ({ ownership: OWNED }),
    save: () => {
      throw new Error("EROFS: read-only file system, open '/state/state.json.1.tmp'");
    },
    saveControl: () => {
      throw new Error("EROFS: read-only file system, open '/state/state.json.1.tmp'");
    },
  };
  const log = memoryLog();
  const clock = new VirtualClock();
  const daemon = new Daemon({
    // Never contacted: keeping the pauses sends nothing.
    client: createImmichClient({ baseUrl: "http://127.0.0.1:9", apiKey: "unused-key", fetch, clock, timeoutMs: 1_000 }),
    clock,
    log,
    policy: { maxConcurrent: 1, priority: ["ocr", "smartSearch", "sidecar", "videoConversion"] },
    pollIntervalMs: 10_000,
    dryRun: false,
    onExit: "keep",
    store: failing,
    random: () => 0.5,
  });
  expect(await daemon.shutdown()).toEqual([]);
  expect(log.lines.map((l) => `${l.level} ${l.msg}`)).toEqual([
    "warn could not write the state file: EROFS: read-only file system, open '/state/state.json.1.tmp'; make STATE_FILE's directory writable",
    "info exiting; keeping 2 queues paused as ON_EXIT=keep says",
  ]);
});
