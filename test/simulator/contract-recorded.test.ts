// Contract with the answers recorded from a real Immich v3.1.0 server
// (test/fixtures/immich/recorded-v3.1.0/): the v3.1 profile answers the same
// requests with the same status and, where the answer does not depend on
// timing, byte for byte the same body. The behaviours the recording shows
// (counts while paused, active draining by itself, idempotent pause,
// backgroundTask refused via /queues but not /jobs, a restart resuming only
// metadataExtraction) are checked on every profile.

import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { VirtualClock } from "../../src/shared/clock.ts";
import type { QueueCounts } from "../../src/core/types.ts";
import { PROFILES, PROFILE_NAMES, type ProfileName } from "../../src/simulator/profiles.ts";
import { type Simulator, startSimulator } from "../../src/simulator/server.ts";
import { ALL_KEYS, ContractChecker, KEYS } from "../helpers/openapi-client.ts";

const RECORDED = join(import.meta.dir, "../fixtures/immich/recorded-v3.1.0");
const recorded = (file: string) => readFileSync(join(RECORDED, file), "utf8");

let sim: Simulator | undefined;
let clock: VirtualClock;
afterEach(() => sim?.stop());

async function start(profile: ProfileName) {
  clock = new VirtualClock();
  sim = await startSimulator({ profile, clock, keys: ALL_KEYS, seed: 3 });
  return { sim, c: new ContractChecker(PROFILES[profile], sim.url) };
}

const tick = (ms: number) => clock.set(clock.now() + ms);

describe("v3.1 answers byte for byte as recorded", () => {
  // [recorded file, method, path, key, body]; all on an idle server.
  const cases: [string, string, string, string | undefined, unknown?][] = [
    ["server_version__no_key_.json", "GET", "/api/server/version", undefined],
    ["server_version__queue_key_.json", "GET", "/api/server/version", KEYS.queues.key],
    ["server_ping__no_key_.json", "GET", "/api/server/ping", undefined],
    ["server_about__key_ALL_.json", "GET", "/api/server/about", KEYS.admin.key],
    ["server_about__queue_key__lacks_server.about_.json", "GET", "/api/server/about", KEYS.queues.key],
    ["jobs_idle__queue_key_.json", "GET", "/api/jobs", KEYS.admin.key],
    ["queues_idle__queue_key_.json", "GET", "/api/queues", KEYS.queues.key],
    ["jobs_with_key_lacking_job_perms.json", "GET", "/api/jobs", KEYS.queues.key],
    ["queues_with_key_lacking_queue_perms.json", "GET", "/api/queues", KEYS.jobs.key],
    ["legacy_pause_with_key_lacking_job_perms.json", "PUT", "/api/jobs/thumbnailGeneration", KEYS.queues.key, { command: "pause", force: false }],
    ["new_pause_with_key_lacking_queue_perms.json", "PUT", "/api/queues/thumbnailGeneration", KEYS.jobs.key, { isPaused: true }],
    ["empty_queue_with_queue_key__lacks_queueJob.delete_.json", "DELETE", "/api/queues/thumbnailGeneration/jobs", KEYS.queues.key, {}],
    ["jobs_with_non-admin_user_key__perm_all_.json", "GET", "/api/jobs", KEYS.user.key],
    ["queues_with_non-admin_user_key__perm_all_.json", "GET", "/api/queues", KEYS.user.key],
    ["jobs_with_invalid_key.json", "GET", "/api/jobs", "no-such-key"],
    ["queues_with_invalid_key.json", "GET", "/api/queues", "no-such-key"],
    ["jobs_without_any_key.json", "GET", "/api/jobs", undefined],
    ["unknown_queue_name.json", "PUT", "/api/queues/noSuchQueue", KEYS.queues.key, { isPaused: true }],
    ["unknown_legacy_command.json", "PUT", "/api/jobs/thumbnailGeneration", KEYS.admin.key, { command: "explode" }],
    ["pause_backgroundTask__not_allowed_.json", "PUT", "/api/queues/backgroundTask", KEYS.queues.key, { isPaused: true }],
    ["legacy_pause_backgroundTask.json", "PUT", "/api/jobs/backgroundTask", KEYS.admin.key, { command: "pause", force: false }],
    ["legacy_resume_backgroundTask.json", "PUT", "/api/jobs/backgroundTask", KEYS.admin.key, { command: "resume", force: false }],
    ["list_jobs__status_as_plain_string__rejected_.json", "GET", "/api/queues/thumbnailGeneration/jobs?status=paused", KEYS.admin.key],
    ["empty_body_PUT__queues__no-op_.json", "PUT", "/api/queues/thumbnailGeneration", KEYS.queues.key, {}],
    ["pause_thumbnailGeneration_before_restart.json", "PUT", "/api/queues/thumbnailGeneration", KEYS.queues.key, { isPaused: true }],
    ["pause_metadataExtraction_before_restart.json", "PUT", "/api/queues/metadataExtraction", KEYS.queues.key, { isPaused: true }],
    ["pause_smartSearch_before_restart.json", "PUT", "/api/queues/smartSearch", KEYS.queues.key, { isPaused: true }],
  ];

  test("every recorded answer that does not depend on timing", async () => {
    const { c } = await start("v3.1");
    for (const [file, method, path, key, body] of cases) {
      const ex = await c.call(method, path, { key, body });
      expect({ file, body: ex.text }).toEqual({ file, body: recorded(file) });
    }
    expect(c.problems).toEqual([]);
  });

  test("after a restart only metadataExtraction is resumed; resuming answers as recorded", async () => {
    const { sim, c } = await start("v3.1");
    for (const q of ["thumbnailGeneration", "metadataExtraction", "smartSearch"]) {
      await c.call("PUT", `/api/queues/${q}`, { key: KEYS.queues.key, body: { isPaused: true } });
    }
    const res = await fetch(`${sim.url}/__simulator/restart`, { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    const paused = sim.engine.list().filter((q) => q.isPaused).map((q) => q.name);
    expect(paused).toEqual(["thumbnailGeneration", "smartSearch"]);
    for (const q of ["thumbnailGeneration", "metadataExtraction", "smartSearch"]) {
      const ex = await c.call("PUT", `/api/queues/${q}`, { key: KEYS.queues.key, body: { isPaused: false } });
      expect(ex.text).toBe(recorded(`resume_${q}_after_restart.json`));
    }
    const changes = sim.engine.recording().pauseChanges.map((p) => `${p.queue}:${p.paused}:${p.actor}`);
    expect(changes).toEqual([
      "thumbnailGeneration:true:queues-key",
      "metadataExtraction:true:queues-key",
      "smartSearch:true:queues-key",
      "metadataExtraction:false:restart",
      "thumbnailGeneration:false:queues-key",
      "smartSearch:false:queues-key",
    ]);
    expect(c.problems).toEqual([]);
  });
});

/** Counts of one queue through the legacy API (every profile has it). */
async function legacyCounts(c: ContractChecker, queue: string): Promise<QueueCounts & { isPaused: boolean; isActive: boolean }> {
  const ex = await c.call("GET", "/api/jobs", { key: KEYS.admin.key });
  const q = (ex.body as Record<string, { jobCounts: QueueCounts; queueStatus: { isPaused: boolean; isActive: boolean } }>)[queue];
  if (!q) throw new Error(`no ${queue} in GET /api/jobs`);
  return { ...q.jobCounts, ...q.queueStatus };
}

describe.each(PROFILE_NAMES)("recorded behaviour on %s", (profileName) => {
  const profile = PROFILES[profileName];

  test("pause drains active by itself; pending counts move to `paused` and back on resume", async () => {
    const { sim, c } = await start(profileName);
    // The recorded load: 50 photos and 3 videos, then a pause of thumbnails ~7 s in.
    sim.engine.upload({ photos: 50, videos: 3 });
    tick(7_000);
    const before = await legacyCounts(c, "thumbnailGeneration");
    expect(before.active).toBeGreaterThan(0);
    const pause = await c.call("PUT", "/api/jobs/thumbnailGeneration", { key: KEYS.admin.key, body: { command: "pause", force: false } });
    const answer = pause.body as { queueStatus: { isPaused: boolean; isActive: boolean }; jobCounts: QueueCounts };
    expect(answer.queueStatus.isPaused).toBe(true);
    // Pausing never interrupts: the active jobs are still there, nothing waits.
    expect(answer.jobCounts.active).toBe(before.active);
    expect(answer.jobCounts.waiting).toBe(0);
    expect(answer.jobCounts.paused).toBe(before.waiting);

    // Photos drain within seconds (recorded: ~1 s on a fast server).
    let drained = await legacyCounts(c, "thumbnailGeneration");
    for (let i = 0; i < 10 && drained.active > 0; i++) {
      tick(1_000);
      drained = await legacyCounts(c, "thumbnailGeneration");
    }
    expect(drained).toMatchObject({ active: 0, isActive: false, isPaused: true, waiting: 0 });
    // Upstream keeps finishing: new thumbnail jobs land in `paused`.
    tick(20_000);
    const later = await legacyCounts(c, "thumbnailGeneration");
    expect(later.paused).toBeGreaterThan(drained.paused);
    expect(later.waiting).toBe(0);
    // Jobs added while paused land in `paused` (the recorded second load).
    sim.engine.upload({ photos: 20 });
    tick(30_000);
    const afterLoad2 = await legacyCounts(c, "thumbnailGeneration");
    expect(afterLoad2.paused).toBeGreaterThanOrEqual(later.paused + 20);
    expect(afterLoad2).toMatchObject({ active: 0, waiting: 0 });

    // Resume: the pending jobs move back to waiting (and start).
    const resume = profile.hasQueuesApi
      ? ((await c.call("PUT", "/api/queues/thumbnailGeneration", { key: KEYS.admin.key, body: { isPaused: false } })).body as {
          statistics: QueueCounts;
        }).statistics
      : ((await c.call("PUT", "/api/jobs/thumbnailGeneration", { key: KEYS.admin.key, body: { command: "resume" } })).body as {
          jobCounts: QueueCounts;
        }).jobCounts;
    expect(resume.paused).toBe(0);
    expect(resume.waiting + resume.active).toBe(afterLoad2.paused);
    expect(resume.active).toBeGreaterThan(0);
    expect(c.problems).toEqual([]);
  });

  test("pause and resume are idempotent; the recording names who paused", async () => {
    const { sim, c } = await start(profileName);
    const key = KEYS.admin.key;
    for (let i = 0; i < 2; i++) {
      const ex = await c.call("PUT", "/api/jobs/smartSearch", { key, body: { command: "pause", force: false } });
      expect(ex.status).toBe(200);
      expect((ex.body as { queueStatus: { isPaused: boolean } }).queueStatus.isPaused).toBe(true);
    }
    if (profile.hasQueuesApi) {
      const ex = await c.call("PUT", "/api/queues/smartSearch", { key, body: { isPaused: true } });
      expect((ex.body as { isPaused: boolean }).isPaused).toBe(true);
    }
    for (let i = 0; i < 2; i++) await c.call("PUT", "/api/jobs/smartSearch", { key, body: { command: "resume" } });
    const changes = sim.engine.recording().pauseChanges.map((p) => `${p.queue}:${p.paused}:${p.actor}`);
    expect(changes).toEqual(["smartSearch:true:admin", "smartSearch:false:admin"]);
    expect(c.problems).toEqual([]);
  });

  test("backgroundTask: refused through /queues, accepted through /jobs", async () => {
    const { sim, c } = await start(profileName);
    if (profile.hasQueuesApi) {
      const refused = await c.call("PUT", "/api/queues/backgroundTask", { key: KEYS.admin.key, body: { isPaused: true } });
      expect(refused.status).toBe(400);
      expect((refused.body as { message: string }).message).toBe("The BackgroundTask queue cannot be paused");
      expect(sim.engine.get("backgroundTask")?.isPaused).toBe(false);
      // Resuming it that way is fine.
      expect((await c.call("PUT", "/api/queues/backgroundTask", { key: KEYS.admin.key, body: { isPaused: false } })).status).toBe(200);
    }
    const legacy = await c.call("PUT", "/api/jobs/backgroundTask", { key: KEYS.admin.key, body: { command: "pause", force: false } });
    expect(legacy.status).toBe(200);
    expect(sim.engine.get("backgroundTask")?.isPaused).toBe(true);
    expect(c.problems).toEqual([]);
  });

  test("a restart resumes metadataExtraction; other pauses survive it; a Redis loss clears them all", async () => {
    const { sim, c } = await start(profileName);
    for (const q of ["thumbnailGeneration", "metadataExtraction", "smartSearch"]) {
      await c.call("PUT", `/api/jobs/${q}`, { key: KEYS.admin.key, body: { command: "pause" } });
    }
    await fetch(`${sim.url}/__simulator/restart`, { method: "POST" });
    expect((await legacyCounts(c, "metadataExtraction")).isPaused).toBe(false);
    expect((await legacyCounts(c, "thumbnailGeneration")).isPaused).toBe(true);
    expect((await legacyCounts(c, "smartSearch")).isPaused).toBe(true);
    await fetch(`${sim.url}/__simulator/redis-loss`, { method: "POST" });
    expect((await legacyCounts(c, "thumbnailGeneration")).isPaused).toBe(false);
    expect((await legacyCounts(c, "smartSearch")).isPaused).toBe(false);
    expect(c.problems).toEqual([]);
  });

  test("start: 400 while active, 400 for a queue without a scan, a scan job otherwise", async () => {
    const { sim, c } = await start(profileName);
    const key = KEYS.admin.key;
    const idle = await c.call("PUT", "/api/jobs/thumbnailGeneration", { key, body: { command: "start", force: false } });
    expect(idle.status).toBe(200);
    const counts = (idle.body as { jobCounts: QueueCounts }).jobCounts;
    expect(counts.active + counts.waiting).toBe(1);
    sim.engine.upload({ photos: 10 });
    tick(500);
    const busy = await c.call("PUT", "/api/jobs/metadataExtraction", { key, body: { command: "start" } });
    expect([busy.status, (busy.body as { message: unknown }).message]).toEqual([400, "Job is already running"]);
    const none = await c.call("PUT", "/api/jobs/notifications", { key, body: { command: "start" } });
    expect([none.status, (none.body as { message: unknown }).message]).toEqual([400, "Invalid job name: notifications"]);
    expect(c.problems).toEqual([]);
  });
});
