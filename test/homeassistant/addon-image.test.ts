// The Home Assistant add-on's image, built here as the Supervisor builds it on
// a device (`docker build --build-arg BUILD_FROM=<the project's image>` of
// homeassistant/immich-job-daemon), on the image the image test builds
// (test/image/docker.ts: no base image can be pulled here), and run as the
// Supervisor runs it: /data mounted with the options.json it writes (typed
// values, lower-case keys), against the simulator over loopback. Needs a
// Docker engine (.ci/run starts one); skipped otherwise, saying why.

import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { maxActiveQueues } from "../../src/simulator/sim-summary.ts";
import { ROOT, spawnProcess, waitUntil } from "../e2e/helpers.ts";
import { type E2ESim, KEYS, startE2ESim } from "../e2e/helpers-sim.ts";
import { docker, dockerAsync, dockerOk, ensureImage, noEngine } from "../image/docker.ts";

setDefaultTimeout(120_000);

const why = noEngine();
const name = (what: string) => (why ? `${what} (skipped: ${why})` : what);
const TAG = `immich-job-daemon-addon:test-${process.pid}`;

describe("the Home Assistant add-on's image", () => {
  let work = "";
  let sim: E2ESim;
  const containers: string[] = [];

  beforeAll(async () => {
    if (why) return;
    const base = ensureImage().tag;
    dockerOk(["build", "-q", "-t", TAG, "--build-arg", `BUILD_FROM=${base}`, join(ROOT, "homeassistant/immich-job-daemon")], 300_000);
    work = mkdtempSync(join(tmpdir(), "ijd-addon-"));
    sim = await startE2ESim({ speed: 10 });
  });

  afterAll(async () => {
    if (why) return;
    for (const c of containers) docker(["rm", "-f", c]);
    docker(["rmi", TAG]);
    await sim?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** A /data directory holding `options` as options.json, and a container name. */
  const setUp = (what: string, options: Record<string, unknown>) => {
    const data = join(work, what);
    Bun.spawnSync(["mkdir", "-p", data]);
    writeFileSync(join(data, "options.json"), JSON.stringify(options));
    const c = `ijd-addon-${what}-${process.pid}`;
    docker(["rm", "-f", c]);
    containers.push(c);
    return { data, c };
  };

  test.skipIf(why !== undefined)(name("reads its options from /data/options.json: holds the cap it was given, keeps its state in /data, and stopping resumes everything"), async () => {
    const { data, c } = setUp("run", { immich_url: sim.url, api_key: KEYS.daemon, max_concurrent_jobs: 2, poll_interval: 0.2, log_level: "info" });
    const run = spawnProcess(["docker", "run", "--name", c, "--network", "host", "-v", `${data}:/data`, TAG], { PATH: process.env.PATH ?? "/usr/bin:/bin" });
    await run.waitForOutput("connected to Immich", 30_000);
    // The options, not the image's defaults (MAX_CONCURRENT_JOBS=1, POLL_INTERVAL=10): max=2 poll=0.2s.
    expect(run.stdout()).toMatch(/starting: url=http:\/\/127\.0\.0\.1:\d+ key=\S+ max=2 poll=0\.2s /);
    expect(run.stdout()).toContain(" state=/data/state.json ");
    expect(run.stdout() + run.stderr()).not.toContain(KEYS.daemon);
    // At rest with a cap of 2, two queues stand by, storageTemplateMigration passes through (the
    // storage template is off) and the rest are paused; then work arrives.
    await waitUntil(() => sim.managedPaused().length === sim.pausable().length - 2, "the idle queues paused", 15_000);
    expect(existsSync(join(data, "state.json"))).toBe(true);
    expect(JSON.parse(readFileSync(join(data, "state.json"), "utf8"))).toMatchObject({ version: 1, immichUrl: sim.url });
    sim.sim.engine.upload({ photos: 30, videos: 2 });
    await waitUntil(() => sim.changesBy("daemon").some((ch) => !ch.paused), "a queue resumed for the work", 30_000);
    expect(maxActiveQueues(sim.sim.engine.recording(), sim.managed())).toBeLessThanOrEqual(2);

    const stop = await dockerAsync(["stop", "-t", "15", c]);
    expect(stop.code).toBe(0);
    expect((await run.exited).code).toBe(0);
    expect((await dockerAsync(["inspect", "-f", "{{.State.ExitCode}}", c])).stdout.trim()).toBe("0");
    expect(sim.managedPaused()).toEqual([]);
  });

  test.skipIf(why !== undefined)(name("a wrong option stops it with exit 2 and one line naming the option and /data/options.json; nothing is sent"), () => {
    const { data, c } = setUp("bad", { immich_url: sim.url, api_key: KEYS.daemon, max_concurrent_jobs: 0, poll_interval: 10 });
    const before = sim.requests.length;
    const r = docker(["run", "--name", c, "--network", "host", "-v", `${data}:/data`, TAG]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('MAX_CONCURRENT_JOBS="0" (key "max_concurrent_jobs" of CONFIG_FILE /data/options.json): ');
    expect(r.stderr).not.toContain(KEYS.daemon);
    expect(sim.requests.length).toBe(before);
  });
});
