// docs/nas.md's container blocks, run as written with Docker Compose: up,
// status through exec, logs, an upgrade's `up -d`, and the removal (stop,
// `run --rm ... resume-all`, rm, volume rm), against the simulator. The
// compose file is deploy/compose.yaml with what the guide says the test
// changes: the image the image test builds, the host's network instead of
// Immich's (no Immich container runs here), the simulator's URL, a project
// name of this run's own (and so its volume's name). Debian's
// docker-compose stands in for `docker compose` where the plugin is missing.

import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, waitUntil } from "../e2e/helpers.ts";
import { type E2ESim, KEYS, startE2ESim } from "../e2e/helpers-sim.ts";
import { guideBlocks } from "../docs/guide-blocks.ts";
import { docker, dockerAsync, ensureImage, noEngine } from "./docker.ts";

setDefaultTimeout(180_000);

const plugin = Bun.which("docker") !== null && docker(["compose", "version"], 20_000).code === 0;
const compose = plugin ? "docker compose" : Bun.which("docker-compose") ? "docker-compose" : undefined;
const why = noEngine() ?? (compose ? undefined : "neither `docker compose` nor docker-compose is installed (.ci/run installs docker-compose)");
const name = (what: string) => (why ? `${what} (skipped: ${why})` : what);

/** The guide's service and project (directory) name. */
const PROJECT = "immich-job-daemon";
/** This run's project name: engineers' runs share one engine and must not see each other's. */
const RUN_PROJECT = `immich-job-daemon-test-${process.pid}`;
const VOLUME = (project: string) => `${project}_immich-job-daemon-state`;

describe("docs/nas.md with Docker Compose", () => {
  const blocks = guideBlocks(readFileSync(join(ROOT, "docs/nas.md"), "utf8")).filter((b) => b.runBy === "test/image/compose.test.ts");
  let sim: E2ESim;
  let work = "";
  let dir = "";

  beforeAll(async () => {
    if (why) return;
    const image = ensureImage().tag;
    sim = await startE2ESim({ speed: 10 });
    work = mkdtempSync(join(tmpdir(), "ijd-compose-"));
    dir = join(work, PROJECT);
    mkdirSync(dir);
    const file = Bun.YAML.parse(readFileSync(join(ROOT, "deploy/compose.yaml"), "utf8")) as {
      services: Record<string, Record<string, unknown> & { environment: Record<string, string> }>;
      networks?: unknown;
    };
    const service = file.services[PROJECT]!;
    service.image = image;
    delete service.build;
    delete service.networks;
    delete file.networks;
    service.network_mode = "host";
    service.container_name = `ijd-compose-${process.pid}`;
    service.environment.IMMICH_URL = sim.url;
    writeFileSync(join(dir, "compose.yaml"), Bun.YAML.stringify(file));
    writeFileSync(join(dir, ".env"), `IMMICH_JOB_DAEMON_API_KEY=${KEYS.daemon}\n`);
  });

  afterAll(async () => {
    if (why) return;
    await dockerAsync(["rm", "-f", "-v", `ijd-compose-${process.pid}`]);
    await dockerAsync(["volume", "rm", "-f", VOLUME(RUN_PROJECT)]);
    await sim?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** One of the guide's blocks, line by line (stopping at the first failure), in the project directory. */
  const run = async (i: number) => {
    const text = blocks[i]!.text.replaceAll("docker compose", compose!).replaceAll(VOLUME(PROJECT), VOLUME(RUN_PROJECT));
    // No terminal here: exec without a TTY, as `-T` says (the guide's users have one).
    const script = text.replaceAll(`${compose} exec `, `${compose} exec -T `);
    const p = Bun.spawn(["sh", "-e", "-c", script], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { ...process.env, COMPOSE_PROJECT_NAME: RUN_PROJECT, COMPOSE_INTERACTIVE_NO_CLI: "1" } });
    const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
    return { code: await p.exited, stdout, stderr };
  };

  test("the guide has the three container blocks this file runs", () => {
    expect(blocks.map((b) => b.text.split("\n")[0])).toEqual([
      "docker compose up -d immich-job-daemon",
      "docker compose up -d immich-job-daemon",
      "docker compose stop immich-job-daemon",
    ]);
  });

  test.skipIf(why !== undefined)(name("up, status through exec, logs; an upgrade's up -d; stop, resume-all, rm and volume rm leave nothing paused or behind"), async () => {
    const up = await run(0);
    if (up.code !== 0) throw new Error(`block failed (${up.code}):\n${up.stderr}${up.stdout}`);
    expect(up.stdout).toContain("metadataExtraction"); // status's table
    expect(up.stdout + up.stderr).toContain("connected to Immich"); // the logs
    const container = `ijd-compose-${process.pid}`;
    expect((await dockerAsync(["inspect", "-f", "{{.State.Running}} {{.Config.User}} {{.HostConfig.ReadonlyRootfs}}", container])).stdout.trim()).toBe("true 65532:65532 true");
    // Its first cycle: the idle managed queues are paused, as the running daemon does.
    await waitUntil(() => sim.managedPaused().length > 0, "the daemon's first cycle", 30_000);

    const upgrade = await run(1);
    expect(upgrade.code).toBe(0);

    const remove = await run(2);
    if (remove.code !== 0) throw new Error(`block failed (${remove.code}):\n${remove.stderr}${remove.stdout}`);
    expect(sim.managedPaused()).toEqual([]);
    expect((await dockerAsync(["inspect", container])).code).not.toBe(0);
    expect((await dockerAsync(["volume", "inspect", VOLUME(RUN_PROJECT)])).code).not.toBe(0);
  });
});
