// The compiled binary starts with JavaScriptCore's JIT held back
// (scripts/build-args.ts: --compile-jit-policy): right for the daemon's commands,
// which run little JavaScript and mostly sleep. The simulator and the demo
// run simulated hours of work as fast as they can; they ask for the normal
// policy back. Outside the compiled binary (bun src/main.ts, tests) the
// policy is already normal and this changes nothing.

/** Back to JavaScriptCore's normal tier-up thresholds. */
export function normalJit(): void {
  Bun.unsafe.setJITPolicy(1);
}
