// `immich-job-daemon demo`: the daemon against an in-process simulated
// Immich, with a live view (src/demo/). This file only turns argv and the
// command's world into runDemo's options and picks the screen: redrawn on a
// terminal, one line per change otherwise. Bad flags are one line and exit 2;
// Ctrl-C ends the demo cleanly (the daemon's exit clean-up runs) with exit 0.

import { pacedClock } from "../demo/paced-clock.ts";
import { DEMO_HELP, DemoUsageError, parseDemoArgs } from "../demo/options.ts";
import { runDemo } from "../demo/run-demo.ts";
import { type Output, plainScreen, terminalScreen } from "../demo/screen.ts";
import type { CommandIO } from "./command-io.ts";
import { EXIT } from "./exit-codes.ts";
import { normalJit } from "../shared/jit.ts";

export async function demoCommand(args: readonly string[], io: CommandIO & { fetch: typeof fetch }): Promise<number> {
  normalJit(); // simulated hours of Immich as fast as it can: hot code
  let flags: ReturnType<typeof parseDemoArgs>;
  try {
    flags = parseDemoArgs(args);
  } catch (e) {
    if (!(e instanceof DemoUsageError)) throw e;
    io.stderr.write(`immich-job-daemon demo: ${e.message}\n`);
    return EXIT.usage;
  }
  if (flags === "help") {
    io.stdout.write(DEMO_HELP + "\n");
    return EXIT.ok;
  }

  const out = io.stdout;
  const tty = out.isTTY === true && io.env.TERM !== "dumb";
  // https://no-color.org: any non-empty NO_COLOR turns colour off.
  const color = flags.color && tty && !io.env.NO_COLOR;
  const screen = flags.plain || !tty ? plainScreen(out, color) : terminalScreen(out, color);

  // Simulated time kept `speed` times ahead of the real clock once the
  // daemon is up (see paced-clock.ts).
  const pacer = pacedClock(io.clock, flags.speed);
  const result = await runDemo({
    clock: pacer.clock,
    speed: flags.speed,
    maxConcurrent: flags.max,
    scenario: flags.scenario,
    scale: flags.scale,
    profile: flags.profile,
    seed: flags.seed,
    limitMs: flags.duration * 1000,
    realNow: () => io.clock.now(),
    fetch: io.fetch,
    signal: io.signal,
    onFrame: (view) => screen.frame(view),
    onStarted: () => pacer.start(),
    random: io.random,
  }).finally(() => pacer.stop());
  screen.end(result);
  if (result.summary.outcome === "failed") {
    io.stderr.write(`immich-job-daemon demo: the daemon stopped: ${result.summary.error ?? "unknown error"}; please report it\n`);
    return EXIT.internal;
  }
  return EXIT.ok;
}
