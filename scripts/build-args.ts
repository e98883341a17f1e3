// The `bun build --compile` command line of the binary (scripts/build.ts),
// shared with the benchmark, which compiles its idle-cost baselines with the
// very same flags (bench/idle-cost.ts).
//
// Autoloading of .env and bunfig.toml from the user's working directory is
// switched off, so a stray file next to the binary can never change its
// behaviour. Two flags are about an idle daemon's cost (issue 6; docs/benchmark.md,
// "Idle cost"): --splitting keeps each lazily imported part (the simulator,
// the demo, the status server, the other commands...) in its own chunk
// inside the binary, parsed only when its command or setting needs it; and
// --compile-jit-policy keeps JavaScriptCore from compiling our code to
// machine code: a daemon that runs well under a millisecond of JavaScript
// every few seconds gains nothing from a JIT, whose compilers and code
// cost it ~5 MB resident. The simulator and the demo, which do run hot,
// turn the JIT back on (src/shared/jit.ts).

/** JavaScriptCore's tier-up thresholds multiplied by this: in practice, never. */
export const JIT_POLICY = 1_000_000;

export function buildArgs(entry: string, outfile: string, opts: { version?: string; target?: string } = {}): string[] {
  return [
    "build",
    entry,
    "--compile",
    "--minify",
    "--splitting",
    "--compile-jit-policy",
    String(JIT_POLICY),
    "--sourcemap=none",
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    ...(opts.version === undefined ? [] : ["--define", `BUILD_VERSION=${JSON.stringify(opts.version)}`]),
    "--outfile",
    outfile,
    ...(opts.target ? [`--target=${opts.target}`] : []),
  ];
}
