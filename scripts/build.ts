// `npm run build`: one self-contained binary, dist/immich-job-daemon, made
// with `bun build --compile`. The version is baked in: BUILD_VERSION when set
// (a release: scripts/release.ts sets it from the tag), else package.json's
// version marked as a development build with its commit, 1.0.0-dev+3f2a9c1
// (release-lib.ts checkoutVersion); autoloading of .env
// and bunfig.toml from the user's working directory is switched off so a
// stray file next to the binary can never change its behaviour.
// The flags themselves are in build-args.ts.
//
//   bun scripts/build.ts                       # this machine's platform
//   bun scripts/build.ts --target bun-linux-arm64-musl --outfile dist/x
//   bun scripts/build.ts --release             # every Linux target + SHA256SUMS
//   bun scripts/build.ts --release --outdir dist/release
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };
import { buildArgs } from "./build-args.ts";
import { gitFacts } from "./git-facts.ts";
import { checkoutVersion, RELEASE_TARGETS } from "./release-lib.ts";

const { values } = parseArgs({
  options: {
    target: { type: "string" },
    outfile: { type: "string", default: "dist/immich-job-daemon" },
    release: { type: "boolean", default: false },
    outdir: { type: "string", default: "dist" },
  },
});

const version = process.env.BUILD_VERSION || checkoutVersion(pkg.version, gitFacts(`${import.meta.dir}/..`));

function build(outfile: string, target?: string): void {
  const args = buildArgs("src/main.ts", outfile, { version, ...(target ? { target } : {}) });
  const proc = Bun.spawnSync([process.execPath, ...args], { stdout: "inherit", stderr: "inherit" });
  if (proc.exitCode !== 0) {
    console.error(`build failed for ${target ?? "this machine"} (bun build exited ${proc.exitCode})`);
    process.exit(1);
  }
  console.log(`built ${outfile} (version ${version}${target ? `, ${target}` : ""})`);
}

if (values.release) {
  const dir = values.outdir!;
  mkdirSync(dir, { recursive: true });
  const files = RELEASE_TARGETS.map((t) => {
    const out = `${dir}/immich-job-daemon-${t}`;
    build(out, `bun-${t}`);
    return out;
  });
  const sums = files.map((f) => `${createHash("sha256").update(readFileSync(f)).digest("hex")}  ${basename(f)}`);
  writeFileSync(`${dir}/SHA256SUMS`, sums.join("\n") + "\n");
  console.log(`wrote ${dir}/SHA256SUMS`);
} else {
  build(values.outfile!, values.target);
}
