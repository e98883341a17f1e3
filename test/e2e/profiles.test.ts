// The compiled binary against every Immich version the simulator models
// (v1.137 to v3.1): it picks the API family the server and key allow, and
// `once` and `status --json` work on each.

import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { PROFILE_NAMES } from "../../src/simulator/profiles.ts";
import { cleanEnv, runBinary } from "./helpers.ts";
import { e2eSimsPerTest, KEYS } from "./helpers-sim.ts";

// Real processes on a loaded 2-core machine: more than Bun's default 5 s
// (bunfig.toml's [test] timeout is not applied by Bun 1.4.5).
setDefaultTimeout(15_000);

const startE2E = e2eSimsPerTest();

describe.each(PROFILE_NAMES)("Immich %s", (profile) => {
  test("`once` pauses the idle managed queues and leaves the busy one and the protected ones alone", async () => {
    const sim = await startE2E({ profile, speed: 10 });
    sim.sim.engine.enqueue("metadataExtraction", 2_000);
    const env = cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon, MAX_CONCURRENT_JOBS: "2" });
    const exit = await runBinary(["once"], env);
    expect(exit.code).toBe(0);
    // Managed names this version lacks (ocr, integrityCheck...) are a warning, not a failure.
    for (const line of exit.stderr.split("\n").filter(Boolean)) expect(line).toContain(" WARN ");

    // The second slot is free: the upload's next stage that does work stands by in it (rule 12, issue 19
    // item 7); the storage template is off (Immich's default), so its queue passes through unpaused.
    const standby = "thumbnailGeneration";
    expect(sim.managed()).toContain(standby);
    const idle = sim.managed().filter((q) => q !== "metadataExtraction" && q !== standby && q !== "storageTemplateMigration");
    expect(sim.managedPaused().sort()).toEqual([...idle].sort());
    expect(sim.changesBy("daemon").map((c) => c.queue).sort()).toEqual([...idle].sort());
    expect(sim.sim.engine.list().filter((q) => q.isPaused && !sim.managed().includes(q.name))).toEqual([]);
    // The family: /api/queues from 2.4 on, /api/jobs before.
    const family = sim.sim.profile.hasQueuesApi ? "/api/queues/" : "/api/jobs/";
    const puts = sim.requests.filter((r) => r.method === "PUT");
    expect(puts.length).toBeGreaterThan(0);
    expect(puts.every((r) => r.path.startsWith(family))).toBe(true);

    const status = await runBinary(["status", "--json"], env);
    expect(status.code).toBe(0);
    const j = JSON.parse(status.stdout) as { version: string; api: string; queues: { name: string }[] };
    const v = sim.sim.profile.version;
    expect(j.version).toBe(`${v.major}.${v.minor}.${v.patch}`);
    expect(j.api).toBe(sim.sim.profile.hasQueuesApi ? "queues" : "jobs");
    const p = sim.sim.profile;
    expect(j.queues.map((q) => q.name)).toEqual([...(p.hasQueuesApi ? p.queues : p.legacyJobsOrder)]);
  });
});
