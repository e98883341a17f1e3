// Contract with the answers recorded from a real Immich v2.7.5 server
// (test/fixtures/immich/recorded-v2.7.5/): every request of the recording's
// transcript is replayed, in order and at its recorded time (virtual clock),
// against the v2.7 profile, with the recording's uploads and restart in
// between. Every answer must have the recorded status, headers (the
// `x-immich-cid` correlation id on all but the malformed-JSON 400, the
// content type) and body: byte for byte apart from the correlation id where
// the answer does not depend on how fast jobs ran, and otherwise the same
// shape, key order and pause flags with the counts left out.

import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { VirtualClock } from "../../src/shared/clock.ts";
import type { ApiKey } from "../../src/simulator/auth.ts";
import { RECORDED_V3_1_DURATIONS, RECORDED_V3_1_VIDEO_DURATIONS } from "../../src/simulator/pipeline.ts";
import { PROFILES } from "../../src/simulator/profiles.ts";
import { type Simulator, startSimulator } from "../../src/simulator/server.ts";
import { type RecordedExchange, clockTime, readTranscript } from "../helpers/recorded-transcript.ts";

const DIR = join(import.meta.dir, "../fixtures/immich/recorded-v2.7.5");
const exchanges = readTranscript(join(DIR, "transcript.md"));

// The recording's keys (its README): same scopes, same roles.
const KEYS: Record<string, ApiKey> = {
  "all key": { key: "key-all", label: "all", admin: true, scopes: ["all"] },
  "job key": { key: "key-job", label: "job", admin: true, scopes: ["job.read", "job.create"] },
  "queue key": {
    key: "key-queue",
    label: "queue",
    admin: true,
    scopes: ["job.read", "job.create", "queue.read", "queue.update", "queueJob.read"],
  },
  "nojob key": { key: "key-nojob", label: "nojob", admin: true, scopes: ["asset.read"] },
  "nonadmin key": { key: "key-nonadmin", label: "nonadmin", admin: false, scopes: ["all"] },
};
const presented = (key: string): string | undefined =>
  key === "no key" ? undefined : key === "invalid key" ? "made-up-key" : KEYS[key]?.key;

/** What happened to the server between requests (transcript sections 5, 7 and 11). */
const EVENTS: { at: number; what: string; run: (sim: Simulator) => Promise<unknown> | unknown }[] = [
  { at: clockTime("20:06:33.997"), what: "load 50 images + 3 videos", run: (sim) => sim.engine.upload({ photos: 50, videos: 3 }) },
  { at: clockTime("20:06:43.681"), what: "load 20 more images", run: (sim) => sim.engine.upload({ photos: 20 }) },
  {
    at: clockTime("20:07:15.000"),
    what: "restart (Redis kept)",
    run: (sim) => fetch(`${sim.url}/__simulator/restart`, { method: "POST", body: "{}" }),
  },
];

/** Exchanges not replayed (none: the system config is simulated, with the recording's IMMICH_CONFIG_FILE). */
const OUTSIDE = new Set<string>();

/**
 * Answers whose counts depend on how fast the real server's jobs ran: the
 * snapshots under load, the commands sent mid-work and the job listings
 * (ids, asset ids and timestamps are the server's). Compared by shape.
 */
const TIMING = new Set([
  "jobs right after load (queue key)",
  "queues right after load (queue key)",
  "legacy pause thumbnailGeneration",
  "new-style pause thumbnailGeneration (already paused)",
  "get queue thumbnailGeneration",
  "queues while paused (queue key)",
  "jobs while paused (queue key)",
  "list jobs, status as plain string (rejected)",
  "list paused jobs (status[]=paused)",
  "list waiting jobs (status[]=waiting)",
  "list jobs, no status filter",
  "list jobs, two statuses (status=paused&status=waiting)",
  "new-style pause metadataExtraction",
  "legacy pause again (idempotent)",
  "new-style resume thumbnailGeneration",
  "legacy resume metadataExtraction",
  "legacy resume again (idempotent)",
  "empty body PUT /queues (no-op)",
  "legacy start thumbnailGeneration force=false",
  "legacy start thumbnailGeneration force=true",
  "pause thumbnailGeneration before restart",
  "pause metadataExtraction before restart",
  "jobs after restart (queue key)",
  "queues after restart (queue key)",
  "resume thumbnailGeneration after restart",
  "resume metadataExtraction after restart",
]);

/** Counts and server-made values masked; lists cut to their first element. */
function skeleton(text: string): string {
  const mask = (v: unknown, key?: string): unknown => {
    if (typeof v === "number") return 0;
    if (key === "isActive") return "?";
    if (typeof v === "string" && (key === "id" || key === "timestamp")) return "?";
    if (Array.isArray(v)) return v.slice(0, 1).map((x) => mask(x));
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === "data" ? Object.keys(x as object) : mask(x, k)]));
    }
    return v;
  };
  return JSON.stringify(mask(JSON.parse(text)));
}

/** The parts of two answers that differ (queues of a list), for a readable failure. */
function differences(sim: string, rec: string): string {
  try {
    const a = JSON.parse(sim) as Record<string, unknown>;
    const b = JSON.parse(rec) as Record<string, unknown>;
    if (typeof a === "object" && typeof b === "object" && a && b) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
      const diff = keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
      if (diff.length > 0 && diff.length < keys.length) {
        return diff.map((k) => `  ${k}: sim ${JSON.stringify(a[k])}\n  ${k}: rec ${JSON.stringify(b[k])}`).join("\n");
      }
    }
  } catch {
    // not JSON: show both whole
  }
  return `  sim: ${sim}\n  rec: ${rec}`;
}

interface Replayed {
  recorded: RecordedExchange;
  status: number;
  headers: Headers;
  text: string;
}

let sim: Simulator | undefined;
afterEach(() => sim?.stop());

async function replay(): Promise<Replayed[]> {
  const clock = new VirtualClock();
  const t0 = clock.now() - (exchanges[0]?.at ?? 0);
  // The recorded server, like the v3.1.0 one: small images, no machine
  // learning, so ML jobs fail fast (ocr too: its queue was empty 3.6 s after
  // the last thumbnail), tiny videos (videoConversion seen active in only two
  // polls), a tag clean-up done within milliseconds: all as recorded.
  sim = await startSimulator({
    profile: "v2.7",
    clock,
    keys: Object.values(KEYS),
    seed: 3,
    // The recorded server ran with IMMICH_CONFIG_FILE: its config cannot be changed over the API.
    configFile: true,
    engine: {
      durations: { ...RECORDED_V3_1_DURATIONS, ocr: 100, backgroundTask: 50 },
      videoDurations: { ...RECORDED_V3_1_VIDEO_DURATIONS, videoConversion: 400 },
    },
  });
  const pending = [...EVENTS];
  const out: Replayed[] = [];
  for (const ex of exchanges) {
    if (OUTSIDE.has(ex.title)) continue;
    while (pending[0] && pending[0].at <= ex.at) {
      const event = pending.shift();
      if (!event) break;
      clock.set(t0 + event.at);
      await event.run(sim);
    }
    clock.set(t0 + ex.at);
    const headers: Record<string, string> = {};
    const key = presented(ex.key);
    if (key !== undefined) headers["x-api-key"] = key;
    if (ex.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(sim.url + ex.path, { method: ex.method, headers, body: ex.body });
    out.push({ recorded: ex, status: res.status, headers: res.headers, text: await res.text() });
  }
  return out;
}

describe("v2.7 answers as a real v2.7.5 server, replaying its transcript", () => {
  test("the transcript is read whole: every recorded exchange is replayed or named as outside", () => {
    expect(exchanges.length).toBe(80);
    for (const title of [...TIMING, ...OUTSIDE]) expect(exchanges.map((e) => e.title)).toContain(title);
  });

  test("status, headers and body of every answer", async () => {
    const replayed = await replay();
    expect(replayed.length).toBe(exchanges.length - OUTSIDE.size);
    const mismatches: string[] = [];
    for (const { recorded, status, headers, text } of replayed) {
      const where = `${recorded.title}: ${recorded.method} ${recorded.path}`;
      if (status !== recorded.status) mismatches.push(`${where}: status ${status}, recorded ${recorded.status}`);
      const want = new Map(recorded.headers);
      const cid = headers.get("x-immich-cid");
      // The id is 8 base-36 characters, present exactly when it was recorded.
      if (want.has("x-immich-cid") !== (cid !== null) || (cid !== null && !/^[0-9a-z]{8}$/.test(cid))) {
        mismatches.push(`${where}: x-immich-cid ${cid}, recorded ${want.get("x-immich-cid")}`);
      }
      if (headers.get("x-correlation-id") !== null) mismatches.push(`${where}: a v3 X-Correlation-ID header`);
      if (headers.get("content-type") !== (want.get("content-type") ?? null)) {
        mismatches.push(`${where}: content-type ${headers.get("content-type")}, recorded ${want.get("content-type")}`);
      }
      if (TIMING.has(recorded.title)) {
        if (skeleton(text) !== skeleton(recorded.answer)) {
          mismatches.push(`${where}: shape\n  sim: ${skeleton(text)}\n  rec: ${skeleton(recorded.answer)}`);
        }
        continue;
      }
      // Byte for byte, once the simulator's id is the recorded one.
      const recordedCid = want.get("x-immich-cid");
      const same = cid && recordedCid ? text.replaceAll(`"correlationId":"${cid}"`, `"correlationId":"${recordedCid}"`) : text;
      if (same !== recorded.answer) mismatches.push(`${where}: body\n${differences(same, recorded.answer)}`);
      if (headers.get("content-length") !== (want.get("content-length") ?? null) && status !== 204) {
        mismatches.push(`${where}: content-length ${headers.get("content-length")}, recorded ${want.get("content-length")}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  test("the recorded answer files are the transcript's bodies", () => {
    // The vendored files and the transcript agree (the files are what other tests read).
    const file = (title: string) => `${title.replace(/[^A-Za-z0-9.=-]/g, "_")}.json`;
    const { readFileSync } = require("node:fs") as typeof import("node:fs");
    let compared = 0;
    for (const ex of exchanges) {
      if (ex.answer === "") continue;
      let text: string;
      try {
        text = readFileSync(join(DIR, file(ex.title)), "utf8");
      } catch {
        continue;
      }
      // Titles repeat (e.g. "jobs idle" per key); the file holds the last one.
      const last = exchanges.filter((e) => e.title === ex.title).at(-1);
      if (last === ex) {
        expect({ title: ex.title, text }).toEqual({ title: ex.title, text: ex.answer });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(60);
  });

  test("the legacy GET /api/jobs lists its keys in the DTO's order, /api/queues in the enum's", () => {
    const jobs = exchanges.find((e) => e.title === "jobs idle (queue key)");
    const queues = exchanges.find((e) => e.title === "queues idle (queue key)");
    expect(Object.keys(JSON.parse(jobs?.answer ?? "{}"))).toEqual([...PROFILES["v2.7"].legacyJobsOrder]);
    expect((JSON.parse(queues?.answer ?? "[]") as { name: string }[]).map((q) => q.name)).toEqual([...PROFILES["v2.7"].queues]);
  });
});
