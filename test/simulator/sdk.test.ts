// The official client, @immich/sdk, used against the simulator: its queue
// calls succeed and decode, and its error type carries the simulator's
// status and message. If the SDK (generated from Immich's OpenAPI document)
// can talk to it, so can anything written against the real API.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as sdk from "@immich/sdk";
import { VirtualClock } from "../../src/shared/clock.ts";
import { PROFILES, PROFILE_NAMES } from "../../src/simulator/profiles.ts";
import { type Simulator, startSimulator } from "../../src/simulator/server.ts";
import { ALL_KEYS, KEYS } from "../helpers/openapi-client.ts";

async function failure(p: Promise<unknown>): Promise<{ status: number; message: unknown }> {
  try {
    await p;
  } catch (e) {
    if (sdk.isHttpError(e)) return { status: e.status, message: e.data.message };
    throw e;
  }
  throw new Error("expected the call to fail");
}

describe.each(PROFILE_NAMES)("@immich/sdk against %s", (profileName) => {
  const profile = PROFILES[profileName];
  let sim: Simulator;
  let clock: VirtualClock;

  beforeAll(async () => {
    clock = new VirtualClock();
    sim = await startSimulator({ profile: profileName, clock, keys: ALL_KEYS });
    sdk.init({ baseUrl: `${sim.url}/api`, apiKey: KEYS.admin.key });
  });
  afterAll(() => sim.stop());

  test("server calls", async () => {
    sdk.init({ baseUrl: `${sim.url}/api`, apiKey: KEYS.admin.key });
    expect(await sdk.pingServer()).toEqual({ res: "pong" });
    const v = await sdk.getServerVersion();
    expect([v.major, v.minor, v.patch]).toEqual([profile.version.major, profile.version.minor, profile.version.patch]);
    expect((await sdk.getAboutInfo()).version).toBe(`v${v.major}.${v.minor}.${v.patch}`);
  });

  test("legacy queue calls: list, pause, resume, start, manual job", async () => {
    sdk.init({ baseUrl: `${sim.url}/api`, apiKey: KEYS.admin.key });
    sim.engine.upload({ photos: 10 });
    clock.set(clock.now() + 2_000);
    const all = await sdk.getQueuesLegacy();
    expect(Object.keys(all)).toEqual([...profile.legacyJobsOrder]);
    expect(all.metadataExtraction?.jobCounts.active).toBeGreaterThan(0);
    const paused = await sdk.runQueueCommandLegacy({
      name: sdk.QueueName.ThumbnailGeneration,
      queueCommandDto: { command: sdk.QueueCommand.Pause, force: false },
    });
    expect(paused.queueStatus.isPaused).toBe(true);
    const resumed = await sdk.runQueueCommandLegacy({
      name: sdk.QueueName.ThumbnailGeneration,
      queueCommandDto: { command: sdk.QueueCommand.Resume },
    });
    expect(resumed.queueStatus.isPaused).toBe(false);
    await sdk.createJob({ jobCreateDto: { name: sdk.ManualJobName.TagCleanup } });
    const busy = await failure(
      sdk.runQueueCommandLegacy({ name: sdk.QueueName.MetadataExtraction, queueCommandDto: { command: sdk.QueueCommand.Start } }),
    );
    expect(busy).toEqual({ status: 400, message: "Job is already running" });
  });

  test("queue calls: list, get, update, jobs, empty (404 before v2.4, as on a real server)", async () => {
    sdk.init({ baseUrl: `${sim.url}/api`, apiKey: KEYS.admin.key });
    if (!profile.hasQueuesApi) {
      expect(await failure(sdk.getQueues())).toEqual({ status: 404, message: "Cannot GET /api/queues" });
      return;
    }
    sim.engine.upload({ photos: 30 });
    clock.set(clock.now() + 1_000);
    const queues = await sdk.getQueues();
    expect(queues.map((q) => q.name)).toEqual([...profile.queues] as sdk.QueueName[]);
    const updated = await sdk.updateQueue({ name: sdk.QueueName.MetadataExtraction, queueUpdateDto: { isPaused: true } });
    expect(updated.isPaused).toBe(true);
    expect((await sdk.getQueue({ name: sdk.QueueName.MetadataExtraction })).isPaused).toBe(true);
    const jobs = await sdk.getQueueJobs({
      name: sdk.QueueName.MetadataExtraction,
      status: [sdk.QueueJobStatus.Paused, sdk.QueueJobStatus.Waiting],
    });
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs[0]?.name).toBe(sdk.JobName.AssetExtractMetadata);
    await sdk.emptyQueue({ name: sdk.QueueName.MetadataExtraction, queueDeleteDto: {} });
    expect((await sdk.getQueue({ name: sdk.QueueName.MetadataExtraction })).statistics.paused).toBe(0);
    await sdk.updateQueue({ name: sdk.QueueName.MetadataExtraction, queueUpdateDto: { isPaused: false } });
    const refused = await failure(sdk.updateQueue({ name: sdk.QueueName.BackgroundTask, queueUpdateDto: { isPaused: true } }));
    expect(refused).toEqual({ status: 400, message: "The BackgroundTask queue cannot be paused" });
  });

  test("errors arrive as the SDK's HttpError with status and message", async () => {
    sdk.init({ baseUrl: `${sim.url}/api`, apiKey: KEYS.queues.key });
    expect(await failure(sdk.getQueuesLegacy())).toEqual({ status: 403, message: "Missing required permission: job.read" });
    sdk.init({ baseUrl: `${sim.url}/api`, apiKey: "wrong" });
    expect(await failure(sdk.getQueuesLegacy())).toEqual({ status: 401, message: "Invalid API key" });
    sdk.init({ baseUrl: `${sim.url}/api`, apiKey: KEYS.user.key });
    expect(await failure(sdk.getQueuesLegacy())).toEqual({ status: 403, message: "Forbidden" });
  });
});
