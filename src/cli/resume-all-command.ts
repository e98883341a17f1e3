// `resume-all`: recovery by hand. Resumes every paused managed queue (held
// ones too) and, when all went through, forgets what the daemon owned.
// With a daemon running and its controls at hand (STATUS_ADDR and
// CONTROL_TOKEN/_FILE set), it asks that daemon instead (POST /api/resume-all:
// resume what it paused or holds, then stop managing until `release`):
// resuming behind a running daemon's back would only be undone at its next
// look. When no daemon answers there, it recovers directly, as before.

import { resumeAllActions } from "../core/decide.ts";
import { emptyOwnership } from "../core/types.ts";
import { isClassified } from "../daemon/immich-api.ts";
import { saveOwnership } from "../daemon/state-file.ts";
import type { CommandIO } from "./command-io.ts";
import { fail } from "./command-exit.ts";
import { controlTarget, report, sendControl } from "./control-command.ts";
import { EXIT } from "./exit-codes.ts";
import { prepare } from "./prepare.ts";

/** `resume-all`: resume every paused managed queue (held ones too), for recovery by hand. */
export async function resumeAllCommand(io: CommandIO): Promise<number> {
  const target = io.fetch && (io.env.CONTROL_TOKEN?.trim() || io.env.CONTROL_TOKEN_FILE?.trim()) ? controlTarget(io.env, io.readFile) : undefined;
  if (target && "problem" in target) {
    io.stderr.write(`immich-job-daemon resume-all: ${target.problem}\n`);
    return EXIT.usage;
  }
  if (target && io.fetch) {
    const sent = await sendControl({ ...io, fetch: io.fetch }, target, { path: "/api/resume-all", body: {} });
    if (sent.kind === "answered") return report("resume-all", sent, target.url, io);
    io.stderr.write(`immich-job-daemon resume-all: no daemon answers at ${target.url} (${sent.why}); resuming directly in Immich\n`);
  }
  return resumeDirectly(io);
}

async function resumeDirectly(io: CommandIO): Promise<number> {
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
