// The compiled binary reads whether Immich's storage template is off (issue
// 19 item 7, core/pass-through.ts): then storageTemplateMigration passes
// through without a slot and, at N=2, metadataExtraction and
// thumbnailGeneration stand by. With the template on, or a key that may not
// read the system config, that queue is a stage of its own, said in one line.

import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { cleanEnv, expectNoStackTrace, runBinary } from "./helpers.ts";
import { e2eSimsPerTest, KEYS } from "./helpers-sim.ts";

setDefaultTimeout(15_000);
const startE2E = e2eSimsPerTest();
const ST = "storageTemplateMigration";
const unpaused = (sim: Awaited<ReturnType<typeof startE2E>>) => sim.sim.engine.list().filter((q) => !q.isPaused && sim.managed().includes(q.name)).map((q) => q.name).sort();

describe("storage template and the upload pipeline", () => {
  test("off (Immich's default): said at start; at N=2 the two working stages stand by and the storage-template queue passes through; status says it takes no slot", async () => {
    const sim = await startE2E({});
    const env = cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon, MAX_CONCURRENT_JOBS: "2" });
    const once = await runBinary(["once"], env);
    expect(once.code).toBe(0);
    expect(once.stdout).toContain("the storage template is off: Immich skips storageTemplateMigration's jobs at once, so it passes new uploads through without taking a slot");
    expect(unpaused(sim)).toEqual(["metadataExtraction", ST, "thumbnailGeneration"].sort());
    expect(sim.requests.filter((r) => r.path === "/api/system-config" && r.method === "GET")).toHaveLength(1);
    expect(sim.requests.some((r) => r.path === "/api/system-config" && r.method === "PUT")).toBe(false);

    const json = await runBinary(["status", "--json"], env);
    const j = JSON.parse(json.stdout) as { queues: { name: string; occupiesSlot: boolean; passThrough: boolean }[] };
    expect(j.queues.find((q) => q.name === ST)).toMatchObject({ occupiesSlot: false, passThrough: true });
    const table = await runBinary(["status"], env);
    expect(table.stdout.split("\n").find((l) => l.startsWith(ST))).toContain("through");
  });

  test("on: said at start; storageTemplateMigration stands by as a stage of its own", async () => {
    const sim = await startE2E({});
    sim.sim.engine.setStorageTemplate(true);
    const once = await runBinary(["once"], cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon, MAX_CONCURRENT_JOBS: "2" }));
    expect(once.code).toBe(0);
    expect(once.stdout).toContain("the storage template is on: storageTemplateMigration moves files, so it takes a slot like any stage");
    expect(unpaused(sim)).toEqual(["metadataExtraction", ST].sort());
  });

  test("a key without systemConfig.read: one line naming the permission, no failure; the queue is a stage of its own", async () => {
    const sim = await startE2E({});
    const once = await runBinary(["once"], cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.queues, MAX_CONCURRENT_JOBS: "2" }));
    expect(once.code).toBe(0);
    expectNoStackTrace(once);
    const said = once.stdout.split("\n").filter((l) => l.includes("systemConfig.read"));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain("storageTemplateMigration counts as a pipeline stage of its own: the API key lacks systemConfig.read");
    expect(unpaused(sim)).toEqual(["metadataExtraction", ST].sort());
  });
});
