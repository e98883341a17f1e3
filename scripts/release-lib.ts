// The release's decisions as plain functions, so tests read them in tables
// and scripts/release.ts (the effects: git, bun build, npm sbom, docker) only
// carries them out: which version a tag or a checkout gives, the CHANGELOG
// entry that becomes the release notes, and the image's tags, labels and
// build arguments. The GitHub workflows call scripts/release.ts and nothing
// else of substance, so what runs on the forge is what the tests run here.

/** What users run: glibc and musl (Alpine), x64 and arm64. Bun has no 32-bit ARM target. */
export const RELEASE_TARGETS = ["linux-x64", "linux-arm64", "linux-x64-musl", "linux-arm64-musl"] as const;

/** A release tag: v + semantic version (a pre-release part allowed, no build metadata). */
const TAG = /^v((0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?)$/;

export interface TagVersion {
  /** 1.2.3 or 1.2.3-rc.1 */
  version: string;
  major: number;
  minor: number;
  /** A pre-release (v1.2.3-rc.1): only its own image tag, never major.minor or latest. */
  prerelease: boolean;
}

/** The version a tag names, or a one-line problem. */
export function parseTag(tag: string): { ok: true; value: TagVersion } | { ok: false; problem: string } {
  const m = TAG.exec(tag);
  if (!m) return { ok: false, problem: `tag "${tag}" is not a release tag: expected v<major>.<minor>.<patch>, e.g. v1.0.0 or v1.1.0-rc.1` };
  return { ok: true, value: { version: m[1]!, major: Number(m[2]), minor: Number(m[3]), prerelease: m[5] !== undefined } };
}

/**
 * The version a build from a checkout that no release tag names carries:
 * package.json's version, "-dev", and the commit when there is one
 * (`1.0.0-dev+3f2a9c1`; semver build metadata). A build exactly on the tag
 * v<package version> is that version.
 */
export function checkoutVersion(pkgVersion: string, git: { commit?: string; exactTags?: string[] }): string {
  if (git.exactTags?.includes(`v${pkgVersion}`)) return pkgVersion;
  return git.commit ? `${pkgVersion}-dev+${git.commit}` : `${pkgVersion}-dev`;
}

/**
 * The body of CHANGELOG.md's entry for `version` (Keep a Changelog:
 * `## [1.0.0] - 2026-12-06`), without its heading and link references, or a
 * problem: a release always has notes written for it.
 */
export function changelogEntry(changelog: string, version: string): { ok: true; heading: string; body: string } | { ok: false; problem: string } {
  const lines = changelog.split("\n");
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const head = new RegExp(`^## \\[${escaped}\\](?: - (\\d{4}-\\d{2}-\\d{2}))?\\s*$`);
  const start = lines.findIndex((l) => head.test(l));
  if (start < 0) {
    return { ok: false, problem: `CHANGELOG.md has no entry for ${version}: add a "## [${version}] - YYYY-MM-DD" section saying what changed, then tag again` };
  }
  if (!head.exec(lines[start]!)![1]) {
    return { ok: false, problem: `CHANGELOG.md's entry for ${version} has no date: write "## [${version}] - YYYY-MM-DD"` };
  }
  let end = lines.findIndex((l, i) => i > start && (/^## /.test(l) || /^\[[^\]]+\]: /.test(l)));
  if (end < 0) end = lines.length;
  const body = lines.slice(start + 1, end).join("\n").trim();
  if (body === "") return { ok: false, problem: `CHANGELOG.md's entry for ${version} is empty: say what changed` };
  return { ok: true, heading: lines[start]!.slice(3).trim(), body };
}

/** `owner/name` of the GitHub repository from package.json's repository field. */
export function repositoryOf(repository: unknown): string | undefined {
  const url = typeof repository === "string" ? repository : (repository as { url?: unknown } | undefined)?.url;
  if (typeof url !== "string") return undefined;
  const m = /^(?:git\+)?(?:https:\/\/github\.com\/|github:)?([A-Za-z0-9-]+\/[A-Za-z0-9._-]+?)(?:\.git)?$/.exec(url);
  return m?.[1];
}

export interface ImagePlan {
  /** ghcr.io/<owner>/<name>, lower case as the registry requires. */
  image: string;
  /** Full references: version, major.minor and latest (a pre-release: its version only). */
  tags: string[];
  /** The Dockerfile's build arguments that fill its labels and the binary's version. */
  buildArgs: Record<string, string>;
  /** The OCI labels the image must carry, as the Dockerfile writes them from buildArgs. */
  labels: Record<string, string>;
  platforms: string[];
}

/** What `docker buildx build` is given for a release of `tag` from `repository` at `revision`. */
export function imagePlan(v: TagVersion, repository: string, revision: string): ImagePlan {
  const image = `ghcr.io/${repository.toLowerCase()}`;
  const names = v.prerelease ? [v.version] : [v.version, `${v.major}.${v.minor}`, "latest"];
  const source = `https://github.com/${repository}`;
  return {
    image,
    tags: names.map((n) => `${image}:${n}`),
    buildArgs: { BUILD_VERSION: v.version, SOURCE_URL: source, REVISION: revision },
    labels: {
      "org.opencontainers.image.version": v.version,
      "org.opencontainers.image.source": source,
      "org.opencontainers.image.revision": revision,
      "org.opencontainers.image.licenses": "MIT",
    },
    platforms: ["linux/amd64", "linux/arm64"],
  };
}

/** The buildx command line of a plan: both platforms, provenance and SBOM attestations, pushed or not. */
export function buildxArgs(plan: ImagePlan, opts: { push: boolean; context?: string }): string[] {
  return [
    "buildx",
    "build",
    "--platform",
    plan.platforms.join(","),
    ...Object.entries(plan.buildArgs).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]),
    ...plan.tags.flatMap((t) => ["--tag", t]),
    // Attestations: how it was built (SLSA provenance, every parameter) and what is inside (an SBOM).
    "--provenance=mode=max",
    "--sbom=true",
    ...(opts.push ? ["--push"] : []),
    opts.context ?? ".",
  ];
}

/** The fields of a CycloneDX document this project fills in or reads. */
export interface CycloneDx {
  bomFormat: string;
  specVersion: string;
  serialNumber?: string;
  metadata: { timestamp?: string; component?: Record<string, unknown>; [k: string]: unknown };
  components: { name: string; version: string; purl?: string; [k: string]: unknown }[];
  dependencies?: { ref: string; dependsOn?: string[] }[];
  [k: string]: unknown;
}

/**
 * npm's CycloneDX SBOM of the production dependencies, made into the
 * release's: the subject is the application at the release's version (npm
 * names it after the checkout's directory), and Bun, a dev dependency to npm
 * but the runtime compiled into every binary, is listed as what it is.
 */
export function finishSbom(
  npmSbom: CycloneDx,
  app: { name: string; version: string; license: string; repository: string },
  bun: { version: string; integrity?: string; license?: string },
): CycloneDx {
  const ref = `${app.name}@${app.version}`;
  const oldRef = (npmSbom.metadata.component?.["bom-ref"] as string | undefined) ?? ref;
  const component = {
    ...npmSbom.metadata.component,
    "bom-ref": ref,
    type: "application",
    name: app.name,
    version: app.version,
    purl: `pkg:github/${app.repository}@v${app.version}`,
    licenses: [{ license: { id: app.license } }],
    externalReferences: [{ type: "vcs", url: `https://github.com/${app.repository}` }],
  };
  const bunRef = `bun@${bun.version}`;
  const runtime = {
    "bom-ref": bunRef,
    type: "framework",
    name: "bun",
    version: bun.version,
    scope: "required",
    description: "The JavaScript runtime compiled into every binary (bun build --compile).",
    purl: `pkg:npm/bun@${bun.version}`,
    ...(bun.integrity ? { hashes: [integrityHash(bun.integrity)] } : {}),
    ...(bun.license ? { licenses: [{ license: { id: bun.license } }] } : {}),
  };
  const dependencies = (npmSbom.dependencies ?? []).map((d) =>
    d.ref === oldRef ? { ref, dependsOn: [...(d.dependsOn ?? []), bunRef] } : d,
  );
  if (!dependencies.some((d) => d.ref === ref)) dependencies.unshift({ ref, dependsOn: [bunRef] });
  return {
    ...npmSbom,
    metadata: { ...npmSbom.metadata, component },
    components: [...npmSbom.components.filter((c) => c.name !== "bun"), runtime],
    dependencies,
  };
}

/** An npm integrity string (sha512-<base64>) as a CycloneDX hash. */
function integrityHash(integrity: string): { alg: string; content: string } {
  const [alg, b64] = integrity.split("-", 2) as [string, string];
  const name = { sha512: "SHA-512", sha384: "SHA-384", sha256: "SHA-256", sha1: "SHA-1" }[alg] ?? alg.toUpperCase();
  return { alg: name, content: Buffer.from(b64, "base64").toString("hex") };
}
