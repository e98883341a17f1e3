// immich-go beside the daemon, over real HTTP in virtual time, on every
// Immich profile: immich-go's upload (test/helpers/immich-go.ts: pause five
// queues with the legacy command and force=true, poll GET /api/jobs every
// 250 ms, resume the five at the end or leave them paused after a crash)
// against the daemon at MAX_CONCURRENT_JOBS=2 with a machine-learning and
// face-clustering backlog. What the daemon promises (docs/scheduling.md: immich-go beside the daemon):
// - the queues it saw immich-go pause (the ones it had running) are held:
//   never resumed by it, said in one log line;
// - a pause of a queue it had paused itself changes nothing on the server,
//   so it cannot see it: it keeps scheduling those within the cap;
// - the other managed queues keep running, and the cap always holds;
// - after immich-go's resume of all five, the cap is back within two cycles
//   and the import drains in priority order;
// - after a crash of immich-go the held queues stay paused, on exit too, and
//   `status` says why they wait.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runApp } from "../../src/cli/app.ts";
import { EXIT } from "../../src/cli/exit-codes.ts";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { fileStateStore, saveOwnership } from "../../src/daemon/state-file.ts";
import type { Recording } from "../../src/simulator/engine-types.ts";
import { PROFILE_NAMES, type ProfileName } from "../../src/simulator/profiles.ts";
import { maxActiveQueues, pauseChangesBy } from "../../src/simulator/sim-summary.ts";
import { DAEMON_KEY, type Harness, IMMICH_GO_KEY, startHarness } from "../helpers/harness.ts";
import { IMMICH_GO_POLL_MS, IMMICH_GO_QUEUES, ImmichGo } from "../helpers/immich-go.ts";

const N = 2;
const POLL = 10_000;
const MINUTE = 60_000;
const FIVE: readonly string[] = IMMICH_GO_QUEUES;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const managed = (name: string) => (DEFAULT_PRIORITY as readonly string[]).includes(name);
const rank = (name: string) => (DEFAULT_PRIORITY as readonly string[]).indexOf(name);

/** Highest number of managed queues active at once from `from` on. */
function maxActiveFrom(rec: Recording, from: number): number {
  const activeIntervals = rec.activeIntervals
    .filter((i) => (i.to ?? rec.now) > from)
    .map((i) => ({ ...i, from: Math.max(i.from, from) }));
  return maxActiveQueues({ ...rec, activeIntervals }, DEFAULT_PRIORITY);
}

/** Resumes by the daemon at or after `from` (before `to`). */
const daemonResumes = (rec: Recording, from: number, to = Number.POSITIVE_INFINITY) =>
  pauseChangesBy(rec, "daemon").filter((c) => !c.paused && c.at >= from && c.at < to);

/** The daemon running smartSearch and faceDetection (an ML backlog), a facial-recognition backlog waiting, when immich-go starts. */
async function beforeTheUpload(profile: ProfileName): Promise<Harness> {
  const hh = await startHarness({ profile, maxConcurrent: N, pollMs: POLL, seed: 3 });
  hh.sim.engine.enqueue("smartSearch", 300);
  hh.sim.engine.enqueue("faceDetection", 200);
  hh.sim.engine.enqueue("facialRecognition", 300);
  await hh.advance(3 * POLL);
  const running = hh.sim.engine.list().filter((q) => managed(q.name) && !q.isPaused).map((q) => q.name);
  expect(running.sort()).toEqual(["faceDetection", "smartSearch"]);
  return hh;
}

/** immich-go uploads `batches` of 20 photos and a video, 30 s apart. */
async function upload(hh: Harness, batches: number) {
  for (let i = 0; i < batches; i++) {
    hh.sim.engine.upload({ photos: 20, videos: 1 });
    await hh.advance(30_000);
  }
}

describe.each(PROFILE_NAMES as ProfileName[])("Immich %s", (profile) => {
  test("immich-go's upload: what the daemon saw it pause stays paused, the cap holds, one log line; after its resume the cap is back within two cycles and the import drains by priority", async () => {
    h = await beforeTheUpload(profile);
    const go = new ImmichGo(h.sim.url, IMMICH_GO_KEY, h.clock);
    const linesBefore = h.log.lines.length;
    const t0 = h.clock.now();
    await go.start();
    await upload(h, 6);
    const t1 = h.clock.now();

    // immich-go's pause changed only the two queues the daemon had running:
    // the daemon holds exactly those and never resumed them.
    let rec = h.sim.engine.recording();
    const byGo = pauseChangesBy(rec, "immich-go").map((c) => `${c.queue}:${c.paused}`);
    expect(byGo.sort()).toEqual(["faceDetection:true", "smartSearch:true"]);
    expect([...h.daemon.owned.held].sort()).toEqual(["faceDetection", "smartSearch"]);
    expect(daemonResumes(rec, t0, t1).filter((c) => h!.daemon.owned.held.includes(c.queue))).toEqual([]);
    // Its own pauses of the other three it cannot tell from immich-go's: the
    // upload's metadataExtraction work is scheduled within the cap.
    expect(daemonResumes(rec, t0, t1).some((c) => c.queue === "metadataExtraction")).toBe(true);
    // The other managed queues keep running: the facial-recognition backlog got a slot.
    expect(daemonResumes(rec, t0, t1).some((c) => c.queue === "facialRecognition")).toBe(true);
    expect(maxActiveQueues(rec, DEFAULT_PRIORITY)).toBeLessThanOrEqual(N);
    // Said once, in one line.
    const during = h.log.lines.slice(linesBefore);
    expect(during.filter((l) => l.fields?.notice === "tool-held")).toHaveLength(1);
    expect(during.filter((l) => l.msg.includes("paused by someone else"))).toHaveLength(1);
    expect(during.find((l) => l.fields?.notice === "tool-held")?.msg).toMatch(
      /^faceDetection and smartSearch were paused by someone else, and thumbnailGeneration, metadataExtraction, videoConversion, faceDetection and smartSearch are all paused, as immich-go does during an upload/,
    );
    // immich-go looked every 250 ms and was answered.
    expect(go.polls).toBe((t1 - t0) / IMMICH_GO_POLL_MS);
    expect(go.failedPolls).toBe(0);

    // immich-go's resume of all five: the cap is back within two cycles.
    const linesAtEnd = h.log.lines.length;
    await go.finish();
    await h.advance(2 * POLL);
    const runningWithWork = h.sim.engine
      .list()
      .filter((q) => managed(q.name) && !q.isPaused && q.counts.active + q.counts.waiting > 0)
      .map((q) => q.name);
    expect(runningWithWork.length).toBeLessThanOrEqual(N);
    expect(h.daemon.owned.held).toEqual([]);
    expect(h.log.lines.slice(linesAtEnd).filter((l) => l.fields?.notice === "tool-released")).toHaveLength(1);

    // The import drains by priority: of the queues with work waiting once the
    // cap is back, the daemon starts each only after every higher-priority
    // one (the queue holding the other slot keeps it until it has no work).
    const tc = h.clock.now();
    const waiting = h.sim.engine
      .list()
      .filter((q) => managed(q.name) && q.isPaused && q.counts.paused > 0)
      .map((q) => q.name);
    expect(waiting.length).toBeGreaterThan(1);
    for (let t = 0; t < 4 * 60 * MINUTE; t += POLL) {
      await h.advance(POLL);
      if (h.sim.engine.recording().uploads.every((u) => u.doneAt !== undefined)) break;
    }
    rec = h.sim.engine.recording();
    expect(rec.uploads.every((u) => u.doneAt !== undefined)).toBe(true);
    const firstStart = (q: string) => daemonResumes(rec, tc).find((c) => c.queue === q)?.at ?? Number.POSITIVE_INFINITY;
    const byStart = [...waiting].sort((a, b) => firstStart(a) - firstStart(b) || rank(a) - rank(b));
    expect(byStart).toEqual([...waiting].sort((a, b) => rank(a) - rank(b)));
    // Once the queues over the cap have drained their active jobs, never more than N.
    expect(maxActiveFrom(rec, tc + 5 * MINUTE)).toBeLessThanOrEqual(N);
  });

  test("immich-go crashes mid-upload: the queues the daemon saw it pause stay paused, on exit too, and `status` says why they wait", async () => {
    h = await beforeTheUpload(profile);
    const go = new ImmichGo(h.sim.url, IMMICH_GO_KEY, h.clock);
    const t0 = h.clock.now();
    await go.start();
    await upload(h, 2);
    await go.crash();
    const polls = go.polls;
    await h.advance(30 * MINUTE);
    expect(go.polls).toBe(polls);

    const rec = h.sim.engine.recording();
    expect(daemonResumes(rec, t0).filter((c) => c.queue === "smartSearch" || c.queue === "faceDetection")).toEqual([]);
    expect(h.sim.engine.get("smartSearch")!.isPaused).toBe(true);
    expect(h.sim.engine.get("faceDetection")!.isPaused).toBe(true);
    expect(h.log.lines.filter((l) => l.fields?.notice === "tool-held")).toHaveLength(1);
    // The rest of the import went on within the cap.
    expect(h.sim.engine.get("thumbnailGeneration")!.counts.paused + h.sim.engine.get("metadataExtraction")!.counts.paused).toBe(0);
    expect(maxActiveQueues(rec, DEFAULT_PRIORITY)).toBeLessThanOrEqual(N);

    // `status`, in process, with what the daemon owns in its state file.
    const dir = mkdtempSync(join(tmpdir(), "ijd-immich-go-"));
    try {
      const stateFile = join(dir, "state.json");
      expect(saveOwnership(fileStateStore(stateFile, h.sim.url), h.daemon.owned)).toBeUndefined();
      const out: string[] = [];
      const stream = (into: string[]) => ({ write: (s: string) => into.push(s) }) as unknown as NodeJS.WritableStream;
      const code = await runApp({
        argv: ["status"],
        env: { IMMICH_URL: h.sim.url, API_KEY: DAEMON_KEY, STATE_FILE: stateFile, MAX_CONCURRENT_JOBS: String(N), HEALTH_FILE: join(dir, "health.json") },
        stdout: stream(out),
        stderr: stream([]),
        clock: h.clock,
        signal: new AbortController().signal,
        readFile: (path) => readFileSync(path, "utf8"),
        random: () => 0.5,
        fetch,
        pid: 4242,
      });
      expect(code).toBe(EXIT.ok);
      const why = "waits: paused by someone else (a person, or a tool such as immich-go during an upload); the daemon will not resume it until someone else does";
      expect(out.join("")).toContain(`  smartSearch ${why}`);
      expect(out.join("")).toContain(`  faceDetection ${why}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // The daemon's exit resumes its own pauses, never the held ones.
    const t = h;
    h = undefined;
    await t.stop();
    const left = t.sim.engine.list().filter((q) => managed(q.name) && q.isPaused).map((q) => q.name);
    expect(left.sort()).toEqual(["faceDetection", "smartSearch"]);
    expect(FIVE).toContain("smartSearch");
  });
});
