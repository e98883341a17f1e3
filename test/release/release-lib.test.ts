// The release's decisions in tables (scripts/release-lib.ts), and
// scripts/release.ts's steps that need no build run as the workflow runs
// them: the version a tag gives or refuses, the notes from CHANGELOG.md, the
// buildx command. The build, SBOM and image are in release.test.ts.

import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { buildxArgs, changelogEntry, checkoutVersion, finishSbom, imagePlan, parseTag, repositoryOf } from "../../scripts/release-lib.ts";
import { ROOT } from "../e2e/helpers.ts";

describe("parseTag", () => {
  test.each([
    ["v1.0.0", { version: "1.0.0", major: 1, minor: 0, prerelease: false }],
    ["v0.2.10", { version: "0.2.10", major: 0, minor: 2, prerelease: false }],
    ["v1.1.0-rc.1", { version: "1.1.0-rc.1", major: 1, minor: 1, prerelease: true }],
  ])("%s is a release tag", (tag, value) => {
    expect(parseTag(tag)).toEqual({ ok: true, value });
  });

  test.each(["1.0.0", "v1.0", "v01.0.0", "v1.0.0+build.5", "release-1.0.0", "v1.0.0 ", "vx.y.z", ""])("%p is refused with what a tag looks like", (tag) => {
    const r = parseTag(tag);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toBe(`tag "${tag}" is not a release tag: expected v<major>.<minor>.<patch>, e.g. v1.0.0 or v1.1.0-rc.1`);
  });
});

describe("checkoutVersion: what a build that no tag names says", () => {
  test.each([
    [{ commit: "3f2a9c1", exactTags: [] }, "1.0.0-dev+3f2a9c1"],
    [{ commit: "3f2a9c1", exactTags: ["v0.9.0", "nightly"] }, "1.0.0-dev+3f2a9c1"],
    [{ commit: "3f2a9c1", exactTags: ["v1.0.0"] }, "1.0.0"],
    [{}, "1.0.0-dev"],
  ])("%p -> %s", (git, version) => {
    expect(checkoutVersion("1.0.0", git)).toBe(version);
  });
});

describe("changelogEntry", () => {
  const changelog = [
    "# Changelog",
    "",
    "## [Unreleased]",
    "",
    "- something not yet released",
    "",
    "## [1.1.0] - 2027-01-10",
    "",
    "### Fixed",
    "",
    "- a thing",
    "",
    "## [1.0.0] - 2026-12-06",
    "",
    "First.",
    "",
    "## [0.9.0]",
    "",
    "Undated.",
    "",
    "## [0.8.0] - 2026-01-01",
    "",
    "[Unreleased]: https://example.org/compare/v1.1.0...HEAD",
    "[1.1.0]: https://example.org/releases/tag/v1.1.0",
    "",
  ].join("\n");

  test("the body of the version's section, up to the next section", () => {
    expect(changelogEntry(changelog, "1.1.0")).toEqual({ ok: true, heading: "[1.1.0] - 2027-01-10", body: "### Fixed\n\n- a thing" });
    expect(changelogEntry(changelog, "1.0.0")).toEqual({ ok: true, heading: "[1.0.0] - 2026-12-06", body: "First." });
  });

  test("a missing, undated or empty entry is refused with what to write", () => {
    expect(changelogEntry(changelog, "1.2.0")).toEqual({ ok: false, problem: 'CHANGELOG.md has no entry for 1.2.0: add a "## [1.2.0] - YYYY-MM-DD" section saying what changed, then tag again' });
    expect(changelogEntry(changelog, "0.9.0")).toEqual({ ok: false, problem: 'CHANGELOG.md\'s entry for 0.9.0 has no date: write "## [0.9.0] - YYYY-MM-DD"' });
    // The link references at the end are not the entry's.
    expect(changelogEntry(changelog, "0.8.0")).toEqual({ ok: false, problem: "CHANGELOG.md's entry for 0.8.0 is empty: say what changed" });
    // A version's dots are not wildcards.
    expect(changelogEntry(changelog, "1x0x0").ok).toBe(false);
  });

  test("the repository's CHANGELOG.md has a dated entry for package.json's version", () => {
    const entry = changelogEntry(readFileSync(join(ROOT, "CHANGELOG.md"), "utf8"), pkg.version);
    expect(entry.ok).toBe(true);
    if (entry.ok) expect(entry.body.length).toBeGreaterThan(200);
  });
});

describe("repositoryOf", () => {
  test.each([
    ["git+https://github.com/immich-job-daemon/immich-job-daemon.git", "immich-job-daemon/immich-job-daemon"],
    ["https://github.com/a/b", "a/b"],
    ["github:a/b.c", "a/b.c"],
    ["https://gitlab.com/a/b", undefined],
  ])("%s -> %p", (url, repo) => {
    expect(repositoryOf({ type: "git", url })).toBe(repo);
    expect(repositoryOf(url)).toBe(repo);
  });

  test("package.json names the repository the image is published from", () => {
    expect(repositoryOf(pkg.repository)).toBe("immich-job-daemon/immich-job-daemon");
  });
});

describe("imagePlan and the buildx command", () => {
  const v = (tag: string) => {
    const r = parseTag(tag);
    if (!r.ok) throw new Error(r.problem);
    return r.value;
  };

  test("a release: version, major.minor and latest on ghcr.io in lower case; labels and build arguments from the tag", () => {
    const plan = imagePlan(v("v1.2.3"), "SomeFork/Immich-Job-Daemon", "abc");
    expect(plan.tags).toEqual(["ghcr.io/somefork/immich-job-daemon:1.2.3", "ghcr.io/somefork/immich-job-daemon:1.2", "ghcr.io/somefork/immich-job-daemon:latest"]);
    expect(plan.buildArgs).toEqual({ BUILD_VERSION: "1.2.3", SOURCE_URL: "https://github.com/SomeFork/Immich-Job-Daemon", REVISION: "abc" });
    expect(plan.labels).toEqual({
      "org.opencontainers.image.version": "1.2.3",
      "org.opencontainers.image.source": "https://github.com/SomeFork/Immich-Job-Daemon",
      "org.opencontainers.image.revision": "abc",
      "org.opencontainers.image.licenses": "MIT",
    });
    expect(plan.platforms).toEqual(["linux/amd64", "linux/arm64"]);
  });

  test("a pre-release gets only its own tag: latest and 1.3 stay on the last release", () => {
    expect(imagePlan(v("v1.3.0-rc.1"), "o/n", "abc").tags).toEqual(["ghcr.io/o/n:1.3.0-rc.1"]);
  });

  test("the Dockerfile turns every build argument into its label", () => {
    const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    const plan = imagePlan(v("v1.2.3"), "o/n", "abc");
    const arg = { "org.opencontainers.image.version": "BUILD_VERSION", "org.opencontainers.image.source": "SOURCE_URL", "org.opencontainers.image.revision": "REVISION" } as Record<string, string>;
    for (const label of Object.keys(plan.labels)) {
      if (arg[label]) expect(dockerfile).toContain(`${label}="\${${arg[label]}}"`);
      else expect(dockerfile).toContain(`${label}="${plan.labels[label]}"`);
    }
    expect(plan.labels["org.opencontainers.image.licenses"]).toBe(pkg.license);
  });

  test("buildx: both platforms, provenance and SBOM attestations, pushed only when asked", () => {
    const plan = imagePlan(v("v1.2.3"), "o/n", "abc");
    const args = buildxArgs(plan, { push: true });
    expect(args.slice(0, 4)).toEqual(["buildx", "build", "--platform", "linux/amd64,linux/arm64"]);
    expect(args).toContain("--provenance=mode=max");
    expect(args).toContain("--sbom=true");
    expect(args).toContain("--push");
    expect(args.at(-1)).toBe(".");
    expect(buildxArgs(plan, { push: false })).not.toContain("--push");
  });
});

describe("finishSbom", () => {
  test("names the application at the release's version and adds the Bun runtime, hashed from its integrity", () => {
    const npm = {
      bomFormat: "CycloneDX",
      specVersion: "1.5",
      metadata: { component: { "bom-ref": "immich-job-daemon@1.0.0", type: "library", name: "wt-checkout-dir", version: "1.0.0" } },
      components: [{ "bom-ref": "consola@3.4.2", name: "consola", version: "3.4.2", purl: "pkg:npm/consola@3.4.2" }],
      dependencies: [{ ref: "immich-job-daemon@1.0.0", dependsOn: ["consola@3.4.2"] }, { ref: "consola@3.4.2", dependsOn: [] }],
    };
    const integrity = `sha512-${Buffer.from("abc").toString("base64")}`;
    const bom = finishSbom(npm, { name: "immich-job-daemon", version: "1.0.0", license: "MIT", repository: "o/n" }, { version: "1.4.5", integrity, license: "MIT" });
    expect(bom.metadata.component).toMatchObject({ name: "immich-job-daemon", version: "1.0.0", type: "application", purl: "pkg:github/o/n@v1.0.0" });
    expect(bom.components.map((c) => `${c.name}@${c.version}`)).toEqual(["consola@3.4.2", "bun@1.4.5"]);
    expect(bom.components[1]).toMatchObject({ purl: "pkg:npm/bun@1.4.5", hashes: [{ alg: "SHA-512", content: "616263" }] });
    expect(bom.dependencies).toEqual([{ ref: "immich-job-daemon@1.0.0", dependsOn: ["consola@3.4.2", "bun@1.4.5"] }, { ref: "consola@3.4.2", dependsOn: [] }]);
  });
});

describe("scripts/release.ts, as the workflow calls it", () => {
  const release = (args: string[]) => {
    const r = Bun.spawnSync([process.execPath, "scripts/release.ts", ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  };

  test("version: key=value lines for $GITHUB_OUTPUT", () => {
    expect(release(["version", "--tag", `v${pkg.version}`])).toEqual({ code: 0, stdout: `version=${pkg.version}\nprerelease=false\n`, stderr: "" });
  });

  test("notes: the CHANGELOG.md entry's body", () => {
    const entry = changelogEntry(readFileSync(join(ROOT, "CHANGELOG.md"), "utf8"), pkg.version);
    expect(release(["notes", "--tag", `v${pkg.version}`])).toEqual({ code: 0, stdout: `${entry.ok ? entry.body : "?"}\n`, stderr: "" });
  });

  test("a tag that is not package.json's version, a malformed tag, no tag, or no changelog entry: exit 1 and one line saying what to do", () => {
    const other = release(["version", "--tag", "v9.9.9"]);
    expect(other.code).toBe(1);
    expect(other.stdout).toBe("");
    expect(other.stderr).toBe(
      `release: tag v9.9.9 names 9.9.9 but package.json says ${pkg.version}: set the version (npm version 9.9.9 --no-git-tag-version), add its CHANGELOG.md entry, commit, and tag that commit\n`,
    );
    expect(release(["assets", "--tag", "1.0.0"]).stderr).toBe('release: tag "1.0.0" is not a release tag: expected v<major>.<minor>.<patch>, e.g. v1.0.0 or v1.1.0-rc.1\n');
    expect(release(["notes"]).stderr).toBe("release: give the release tag: --tag v1.2.3 (the workflow passes $GITHUB_REF_NAME)\n");

    const dir = mkdtempSync(join(tmpdir(), "ijd-changelog-"));
    writeFileSync(join(dir, "CHANGELOG.md"), "# Changelog\n\n## [Unreleased]\n\n- work\n");
    const missing = release(["assets", "--tag", `v${pkg.version}`, "--changelog", join(dir, "CHANGELOG.md"), "--out", join(dir, "out")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`release: CHANGELOG.md has no entry for ${pkg.version}: add a "## [${pkg.version}] - YYYY-MM-DD" section saying what changed, then tag again\n`);
    // Refused before anything was built.
    expect(() => readFileSync(join(dir, "out", "SHA256SUMS"))).toThrow();
  });

  test("image --print: the buildx command the workflow runs with --push", () => {
    const r = release(["image", "--tag", `v${pkg.version}`, "--repository", "o/n", "--revision", "abc", "--print"]);
    expect(r.stderr).toBe("");
    const mm = pkg.version.split(".").slice(0, 2).join(".");
    expect(r.stdout).toBe(
      `docker buildx build --platform linux/amd64,linux/arm64 --build-arg BUILD_VERSION=${pkg.version} --build-arg SOURCE_URL=https://github.com/o/n --build-arg REVISION=abc --tag ghcr.io/o/n:${pkg.version} --tag ghcr.io/o/n:${mm} --tag ghcr.io/o/n:latest --provenance=mode=max --sbom=true .\n`,
    );
    expect(release(["image", "--tag", `v${pkg.version}`]).stderr).toBe("release: say --push (publish) or --print (show the command)\n");
  });
});
