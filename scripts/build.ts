// `npm run build`: one self-contained binary, dist/immich-job-daemon, made
// with `bun build --compile`. The version is baked in; autoloading of .env
// and bunfig.toml from the user's working directory is switched off so a
// stray file next to the binary can never change its behaviour.
//
//   bun scripts/build.ts                       # this machine's platform
//   bun scripts/build.ts --target bun-linux-arm64-musl --outfile dist/x
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };

const { values } = parseArgs({
  options: {
    target: { type: "string" },
    outfile: { type: "string", default: "dist/immich-job-daemon" },
  },
});

const version = process.env.BUILD_VERSION ?? pkg.version;
const args = [
  "build",
  "src/main.ts",
  "--compile",
  "--minify",
  "--sourcemap=none",
  "--no-compile-autoload-dotenv",
  "--no-compile-autoload-bunfig",
  `--define`,
  `BUILD_VERSION=${JSON.stringify(version)}`,
  "--outfile",
  values.outfile!,
];
if (values.target) args.push(`--target=${values.target}`);

const proc = Bun.spawnSync([process.execPath, ...args], { stdout: "inherit", stderr: "inherit" });
if (proc.exitCode !== 0) {
  console.error(`build failed (bun build exited ${proc.exitCode})`);
  process.exit(1);
}
console.log(`built ${values.outfile} (version ${version}${values.target ? `, ${values.target}` : ""})`);
