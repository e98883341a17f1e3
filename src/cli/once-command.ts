// `once`: one observe → decide → act cycle, then exit; for cron-style use and
// for trying a configuration.

import type { CommandIO } from "./command-io.ts";
import { fail, stopped } from "./command-exit.ts";
import { EXIT, exitCodeFor } from "./exit-codes.ts";
import { newDaemon, prepare } from "./prepare.ts";

/** `once`: one cycle, then exit; non-zero if Immich could not be observed. */
export async function onceCommand(io: CommandIO): Promise<number> {
  const p = prepare(io, { writes: ["state"] });
  if (typeof p === "number") return p;
  const daemon = newDaemon(p, io);
  try {
    const info = await p.client.connect(io.signal, { checkWrite: !p.config.dryRun });
    // `run` says these when it connects (Daemon.start); one cycle must not hide them.
    for (const w of info.warnings) p.log.warn(w);
    const r = await daemon.cycle(io.signal);
    if (!r.ok) return io.signal.aborted ? stopped(p.log) : exitCodeFor(r.error.kind);
    if (r.decision.actions.length === 0) p.log.info("nothing to do");
    return EXIT.ok;
  } catch (e) {
    return fail(p.log, e, io.signal);
  }
}
