// Everything a release does but the upload, as steps the workflow
// (.github/workflows/release.yml) calls one by one and the tests
// (test/release) run here on a made-up tag. Each step checks the tag first
// (release-lib.ts) and fails with one line naming what to fix.
//
//   bun scripts/release.ts version --tag v1.0.0        version=1.0.0 and prerelease=false (for $GITHUB_OUTPUT)
//   bun scripts/release.ts notes --tag v1.0.0          the CHANGELOG.md entry, the release's notes
//   bun scripts/release.ts assets --tag v1.0.0 [--out dist/release]
//        the four binaries with the version baked in (build.ts --release), the
//        CycloneDX SBOM of the npm dependencies (npm sbom, from package-lock.json),
//        SHA256SUMS over all of them
//   bun scripts/release.ts image --tag v1.0.0 --repository owner/name --revision SHA (--push | --print)
//        docker buildx build for linux/amd64 and linux/arm64 with the version,
//        major.minor and latest tags, OCI labels, provenance and SBOM
//        attestations; --print shows the command instead of running it
//   bun scripts/release.ts rehearse [--out dist/release]
//        version, notes, assets and the printed image command for
//        v<package.json's version>: the release minus the uploads
//
// A tag must name package.json's version and have a dated CHANGELOG.md entry:
// bump both in one commit, then tag it.

import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };
import { buildxArgs, changelogEntry, type CycloneDx, finishSbom, imagePlan, parseTag, RELEASE_TARGETS, repositoryOf, type TagVersion } from "./release-lib.ts";

const ROOT = resolve(import.meta.dir, "..");

function fail(problem: string): never {
  console.error(`release: ${problem}`);
  process.exit(1);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tag: { type: "string" },
    out: { type: "string", default: "dist/release" },
    changelog: { type: "string", default: "CHANGELOG.md" },
    repository: { type: "string" },
    revision: { type: "string" },
    push: { type: "boolean", default: false },
    print: { type: "boolean", default: false },
  },
});
const step = positionals[0];

/** The tag's version, checked against package.json and the changelog. */
function checkedVersion(tag: string | undefined): TagVersion {
  if (!tag) fail("give the release tag: --tag v1.2.3 (the workflow passes $GITHUB_REF_NAME)");
  const parsed = parseTag(tag);
  if (!parsed.ok) fail(parsed.problem);
  const v = parsed.value;
  if (v.version !== pkg.version) {
    fail(`tag ${tag} names ${v.version} but package.json says ${pkg.version}: set the version (npm version ${v.version} --no-git-tag-version), add its CHANGELOG.md entry, commit, and tag that commit`);
  }
  notes(v.version); // fails without an entry
  return v;
}

function notes(version: string): string {
  let text: string;
  try {
    text = readFileSync(resolve(ROOT, values.changelog!), "utf8");
  } catch (e) {
    fail(`cannot read ${values.changelog}: ${(e as Error).message}`);
  }
  const entry = changelogEntry(text, version);
  if (!entry.ok) fail(entry.problem);
  return entry.body;
}

function run(cmd: string[], what: string, opts: { stdout?: "pipe" | "inherit" } = {}): string {
  const r = Bun.spawnSync(cmd, { cwd: ROOT, stdout: opts.stdout ?? "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) fail(`${what} failed (exit ${r.exitCode}): ${r.stderr.toString().trim().split("\n").slice(-3).join(" / ")}`);
  return r.stdout?.toString() ?? "";
}

/** npm's CycloneDX SBOM of the production dependencies as package-lock.json pins them. */
function sbom(version: string): CycloneDx {
  const text = run(["npm", "sbom", "--sbom-format", "cyclonedx", "--sbom-type", "application", "--omit", "dev", "--package-lock-only", "--offline"], "npm sbom");
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string; integrity?: string; license?: string }> };
  const bun = lock.packages["node_modules/bun"];
  if (!bun) fail("package-lock.json pins no bun: run npm install");
  const repository = repositoryOf(pkg.repository) ?? fail("package.json has no GitHub repository field");
  return finishSbom(JSON.parse(text) as CycloneDx, { name: pkg.name, version, license: pkg.license, repository }, bun);
}

function assets(v: TagVersion): string[] {
  const out = resolve(ROOT, values.out!);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const build = Bun.spawnSync([process.execPath, "scripts/build.ts", "--release", "--outdir", out], {
    cwd: ROOT,
    env: { ...process.env, BUILD_VERSION: v.version },
    stdout: "inherit",
    stderr: "inherit",
  });
  if (build.exitCode !== 0) fail("build.ts --release failed (its output is above)");
  const sbomFile = `${pkg.name}-${v.version}.cdx.json`;
  writeFileSync(join(out, sbomFile), JSON.stringify(sbom(v.version), null, 2) + "\n");
  // One list for everything uploaded: the binaries and the SBOM.
  const files = [...RELEASE_TARGETS.map((t) => `${pkg.name}-${t}`), sbomFile];
  const present = new Set(readdirSync(out));
  for (const f of files) if (!present.has(f)) fail(`${f} was not made`);
  const sums = files.map((f) => `${createHash("sha256").update(readFileSync(join(out, f))).digest("hex")}  ${f}`);
  writeFileSync(join(out, "SHA256SUMS"), sums.join("\n") + "\n");
  console.log(`release ${v.version}: ${[...files, "SHA256SUMS"].join(", ")} in ${values.out}`);
  return [...files, "SHA256SUMS"];
}

function image(v: TagVersion, mode: "push" | "print"): void {
  const repository = values.repository ?? repositoryOf(pkg.repository) ?? fail("give --repository owner/name");
  const revision = values.revision ?? run(["git", "rev-parse", "HEAD"], "git rev-parse").trim();
  const args = buildxArgs(imagePlan(v, repository, revision), { push: mode === "push" });
  if (mode === "print") {
    console.log(["docker", ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a}'`)).join(" "));
    return;
  }
  const r = Bun.spawnSync(["docker", ...args], { cwd: ROOT, stdout: "inherit", stderr: "inherit" });
  if (r.exitCode !== 0) fail(`docker buildx build exited ${r.exitCode} (its output is above)`);
}

switch (step) {
  case "version": {
    const v = checkedVersion(values.tag);
    console.log(`version=${v.version}\nprerelease=${v.prerelease}`);
    break;
  }
  case "notes":
    console.log(notes(checkedVersion(values.tag).version));
    break;
  case "assets":
    assets(checkedVersion(values.tag));
    break;
  case "image": {
    const v = checkedVersion(values.tag);
    if (values.push === values.print) fail("say --push (publish) or --print (show the command)");
    image(v, values.push ? "push" : "print");
    break;
  }
  case "rehearse": {
    const v = checkedVersion(values.tag ?? `v${pkg.version}`);
    console.log(`== notes for ${v.version}\n${notes(v.version)}`);
    assets(v);
    image(v, "print");
    break;
  }
  default:
    fail(`unknown step "${step ?? ""}": version, notes, assets, image or rehearse (see the header of scripts/release.ts)`);
}
