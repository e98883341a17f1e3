// `resume-all`: recovery by hand. Resumes every paused managed queue (held
// ones too) and, when all went through, forgets what the daemon owned.

import { resumeAllActions } from "../core/decide.ts";
import { emptyOwnership } from "../core/types.ts";
import { isClassified } from "../daemon/immich-api.ts";
import { saveOwnership } from "../daemon/state-file.ts";
import type { CommandIO } from "./command-io.ts";
import { fail } from "./command-exit.ts";
import { EXIT } from "./exit-codes.ts";
import { prepare } from "./prepare.ts";

/** `resume-all`: resume every paused managed queue (held ones too), for recovery by hand. */
export async function resumeAllCommand(io: CommandIO): Promise<number> {
  // A recovery tool runs even where the state file cannot be written (it warns).
  const p = prepare(io);
  if (typeof p === "number") return p;
  try {
    await p.client.connect(io.signal);
    const observation = await p.client.observe(io.signal);
    const actions = resumeAllActions(observation, p.policy);
    let failed = 0;
    for (const [i, a] of actions.entries()) {
      if (io.signal.aborted) {
        p.log.error(`stopped by a signal; still paused: ${actions.slice(i).map((x) => x.queue).join(", ")}`);
        return EXIT.leftPaused;
      }
      try {
        await p.client.setPaused(a.queue, false, io.signal);
        p.log.info(`resumed ${a.queue}`, { action: "resume", queue: a.queue, reason: a.reason });
      } catch (e) {
        failed++;
        p.log.error(`could not resume ${a.queue}: ${isClassified(e) ? e.message : String(e)}`, { queue: a.queue });
      }
    }
    if (actions.length === 0) p.log.info("no managed queue is paused; nothing to resume");
    // Nothing is the daemon's any more: a later start must not resume or hold from stale memory.
    if (failed === 0) {
      const problem = saveOwnership(p.store, emptyOwnership());
      if (problem) p.log.warn(problem);
    }
    return failed ? EXIT.leftPaused : EXIT.ok;
  } catch (e) {
    // Its whole job is to resume: stopped before that is not a success.
    if (io.signal.aborted) {
      p.log.error("stopped by a signal before anything was resumed; whatever was paused still is: run `immich-job-daemon resume-all` again");
      return EXIT.leftPaused;
    }
    return fail(p.log, e, io.signal);
  }
}
