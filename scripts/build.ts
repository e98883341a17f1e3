// `npm run build`: one self-contained binary, dist/immich-job-daemon, made
// with `bun build --compile`. The version is baked in; autoloading of .env
// and bunfig.toml from the user's working directory is switched off so a
// stray file next to the binary can never change its behaviour.
// The flags themselves are in build-args.ts.
//
//   bun scripts/build.ts                       # this machine's platform
//   bun scripts/build.ts --target bun-linux-arm64-musl --outfile dist/x
//   bun scripts/build.ts --release             # every Linux target + SHA256SUMS
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };
import { buildArgs } from "./build-args.ts";

/** What users run: glibc and musl (Alpine), x64 and arm64. Bun has no 32-bit ARM target. */
const RELEASE_TARGETS = ["linux-x64", "linux-arm64", "linux-x64-musl", "linux-arm64-musl"] as const;

const { values } = parseArgs({
  options: {
    target: { type: "string" },
    outfile: { type: "string", default: "dist/immich-job-daemon" },
    release: { type: "boolean", default: false },
  },
});

const version = process.env.BUILD_VERSION || pkg.version;

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
  const files = RELEASE_TARGETS.map((t) => {
    const out = `dist/immich-job-daemon-${t}`;
    build(out, `bun-${t}`);
    return out;
  });
  const sums = files.map((f) => `${createHash("sha256").update(readFileSync(f)).digest("hex")}  ${basename(f)}`);
  writeFileSync("dist/SHA256SUMS", sums.join("\n") + "\n");
  console.log("wrote dist/SHA256SUMS");
} else {
  build(values.outfile!, values.target);
}
