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
import { fileStateStore, saveOwnership, type StateStore } from "../../src/daemon/state-file.ts";
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
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ version: 1, immichUrl: URL_A, ...OWNED });
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
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ version: 1, immichUrl: URL_A, ...OWNED, held: [] });
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
