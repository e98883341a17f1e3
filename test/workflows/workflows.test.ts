// The GitHub workflows: actionlint finds nothing in them, and finds what is
// wrong in broken ones (so the lint cannot pass by seeing nothing); ci.yml
// runs .ci/run on pushes and pull requests; release.yml runs on v* tags and
// does nothing of substance but call scripts/release.ts, whose steps the
// release tests run here, under names taken from the run (forks publish to
// their own registry).

import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { formatFinding, lintWorkflow, workflowFiles } from "../../scripts/lint-workflows.ts";
import { ROOT } from "../e2e/helpers.ts";

interface Step {
  uses?: string;
  run?: string;
  name?: string;
  id?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { "runs-on": string; permissions?: Record<string, string>; steps: Step[]; container?: { image: string; options?: string } }>;
}

const read = (f: string) => readFileSync(join(ROOT, ".github/workflows", f), "utf8");
const parse = (f: string) => Bun.YAML.parse(read(f)) as Workflow;

describe("actionlint", () => {
  test("the repository's workflows: ci.yml and release.yml, no problem found", async () => {
    const files = workflowFiles();
    expect(files.map((f) => basename(f))).toEqual(["ci.yml", "release.yml"]);
    for (const f of files) expect((await lintWorkflow(readFileSync(f, "utf8"), f)).map(formatFinding)).toEqual([]);
  });

  // Each is a mistake that YAML accepts and GitHub only reports when the workflow runs (or never).
  const broken: [string, string, RegExp][] = [
    ["an unknown property in an expression", "    steps:\n      - run: echo ${{ github.ref_nme }}\n", /property "ref_nme" is not defined/],
    ["a misspelt input of a known action", "    steps:\n      - uses: actions/checkout@v4\n        with:\n          fetch-depht: 1\n", /input "fetch-depht" is not defined in action "actions\/checkout@v4"/],
    ["a step's output that no step with that id has", "    steps:\n      - run: echo ${{ steps.version.outputs.version }}\n", /property "version" is not defined/],
    ["a job that needs a job that does not exist", "    needs: [build]\n    steps:\n      - run: echo hi\n", /needs job "build" which does not exist/],
    ["a step with both run and uses", "    steps:\n      - run: echo hi\n        uses: actions/checkout@v4\n", /contains at least one of "run", "shell" keys, but also contains "uses" key/],
  ];
  for (const [what, job, finding] of broken) {
    test(`flags ${what}`, async () => {
      const text = `name: broken\non: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n${job}`;
      const found = await lintWorkflow(text, "broken.yml");
      expect(found.length).toBeGreaterThan(0);
      expect(found.map((f) => f.message).join("\n")).toMatch(finding);
    });
  }

  test("npm run lint:workflows exits 1 and names the file, line and problem; 0 on the repository's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ijd-workflow-"));
    const bad = join(dir, "bad.yml");
    await Bun.write(bad, "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.ref_nme }}\n");
    const r = Bun.spawnSync([process.execPath, "scripts/lint-workflows.ts", bad], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    expect(r.exitCode).toBe(1);
    expect(r.stdout.toString()).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:6:\\d+: property "ref_nme" is not defined`, "m"));
    const ok = Bun.spawnSync([process.execPath, "scripts/lint-workflows.ts"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    expect(ok.stdout.toString()).toBe("actionlint: 2 workflow file(s), no problems\n");
    expect(ok.exitCode).toBe(0);
  });
});

describe("ci.yml", () => {
  const wf = parse("ci.yml");

  test("runs .ci/run on every push and pull request, as root on Debian bookworm (what .ci/run installs for), within CI's 90 minutes", () => {
    expect(Object.keys(wf.on).sort()).toEqual(["pull_request", "push"]);
    const job = wf.jobs.test!;
    expect(job.container!.image).toMatch(/^node:20-bookworm/);
    // .ci/run starts its own dockerd for the image tests.
    expect(job.container!.options).toContain("--privileged");
    expect((job.container as { volumes?: string[] }).volumes).toEqual(["ci-docker-data:/var/lib/docker"]);
    expect(job.steps.map((s) => s.run).filter(Boolean)).toEqual(["bash .ci/run"]);
    expect(wf.permissions).toEqual({ contents: "read" });
  });
});

describe("release.yml", () => {
  const wf = parse("release.yml");
  const job = wf.jobs.release!;

  test("runs on v* tags with only the rights it needs", () => {
    expect(wf.on).toEqual({ push: { tags: ["v*"] } });
    expect(wf.permissions).toEqual({ contents: "read" });
    expect(job.permissions).toEqual({ contents: "write", packages: "write" });
  });

  test("a thin caller: every command is npm ci, a step of scripts/release.ts, or the upload", () => {
    const runs = job.steps.flatMap((s) => (s.run ? [s.run.trim()] : []));
    const release = runs.filter((r) => r.startsWith("./node_modules/.bin/bun scripts/release.ts "));
    expect(release.map((r) => r.split(/\s+/)[2])).toEqual(["version", "assets", "notes", "image"]);
    const others = runs.filter((r) => !release.includes(r));
    expect(others[0]).toBe("npm ci --no-audit --no-fund");
    expect(others.length).toBe(2);
    expect(others[1]).toContain('gh release create "$TAG" --verify-tag');
    expect(others[1]).toContain('--notes-file "$RUNNER_TEMP/notes.md"');
    expect(others[1]).toContain("dist/release/*");
    // The image is pushed, and the release created, only after the assets were built.
    const names = job.steps.map((s) => s.run ?? s.uses ?? "");
    expect(names.findIndex((n) => n.includes("release.ts assets"))).toBeLessThan(names.findIndex((n) => n.includes("release.ts image")));
    expect(names.findIndex((n) => n.includes("release.ts image"))).toBeLessThan(names.findIndex((n) => n.includes("gh release create")));
  });

  test("the names come from the run, never written out: a fork publishes to its own registry", () => {
    const text = read("release.yml");
    expect(text).not.toContain("immich-job-daemon/immich-job-daemon");
    expect(text).toContain('--repository "$GITHUB_REPOSITORY"');
    expect(text).toContain('--revision "$GITHUB_SHA"');
    expect(job.steps.find((s) => s.uses?.startsWith("docker/login-action@"))!.with).toEqual({
      registry: "ghcr.io",
      username: "${{ github.actor }}",
      password: "${{ secrets.GITHUB_TOKEN }}",
    });
    // The tag reaches the shell through the environment, not pasted into a script.
    for (const s of job.steps) if (s.run) expect(s.run).not.toContain("${{");
  });

  test("the notes file, output keys and assets directory it names are the ones scripts/release.ts makes", () => {
    const script = readFileSync(join(ROOT, "scripts/release.ts"), "utf8");
    expect(script).toContain('console.log(`version=${v.version}\\nprerelease=${v.prerelease}`)');
    expect(read("release.yml")).toContain("steps.version.outputs.version");
    expect(read("release.yml")).toContain("steps.version.outputs.prerelease");
    expect(read("release.yml")).toContain("assets --tag \"$TAG\" --out dist/release");
  });
});
