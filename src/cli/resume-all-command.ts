// `resume-all`: recovery by hand. Resumes every paused managed queue (held
// ones too) and, when all went through, forgets what the daemon owned.
//
// `resume-all --own` resumes only what the state file says the daemon paused,
// never a queue a person paused (held): the exit clean-up of a daemon that
// could not run its own (SIGKILL, a signal no Bun program can catch), run by
// the systemd unit's ExecStopPost= (issue 16 item 2). It needs STATE_FILE.
//
// With a daemon running and its controls at hand (STATUS_ADDR and
// CONTROL_TOKEN/_FILE set), it asks that daemon instead (POST /api/resume-all:
// resume what it paused or holds, then stop managing until `release`):
// resuming behind a running daemon's back would only be undone at its next
// look. When no daemon answers there, it recovers directly, as before.

import { resumeAllActions } from "../core/decide.ts";
import { emptyOwnership, type Ownership } from "../core/types.ts";
import { isClassified } from "../daemon/immich-api.ts";
import { saveOwnership } from "../daemon/state-file.ts";
import type { CommandIO } from "./command-io.ts";
import { fail } from "./command-exit.ts";
import { controlTarget, report, sendControl } from "./control-command.ts";
import { EXIT } from "./exit-codes.ts";
import { needsRestore } from "../core/concurrency-config.ts";
import { restoreConcurrency } from "../daemon/tuning-record.ts";
import { type Prepared, prepare } from "./prepare.ts";

/**
 * `resume-all`: resume every paused managed queue (held ones too), for
 * recovery by hand; with `own`, only the daemon's own pauses, directly in
 * Immich (the systemd unit's ExecStopPost: the daemon is gone by then).
 */
export async function resumeAllCommand(io: CommandIO, opts: { own?: boolean } = {}): Promise<number> {
  const asks = !opts.own && io.fetch && (io.env.CONTROL_TOKEN?.trim() || io.env.CONTROL_TOKEN_FILE?.trim());
  const target = asks ? controlTarget(io.env, io.readFile) : undefined;
  if (target && "problem" in target) {
    io.stderr.write(`immich-job-daemon resume-all: ${target.problem}\n`);
    return EXIT.usage;
  }
  if (target && io.fetch) {
    const sent = await sendControl({ ...io, fetch: io.fetch }, target, { path: "/api/resume-all", body: {} });
    if (sent.kind === "answered") return report("resume-all", sent, target.url, io);
    io.stderr.write(`immich-job-daemon resume-all: no daemon answers at ${target.url} (${sent.why}); resuming directly in Immich\n`);
  }
  return resumeDirectly(io, opts);
}

async function resumeDirectly(io: CommandIO, opts: { own?: boolean }): Promise<number> {
  // A recovery tool runs even where the state file cannot be written (it warns).
  const p = prepare(io);
  if (typeof p === "number") return p;
  let owned: Ownership | undefined;
  if (opts.own) {
    if (!p.config.stateFile) {
      p.log.error("resume-all --own needs STATE_FILE (or systemd's StateDirectory=): without the daemon's record of its own pauses, use `resume-all`");
      return EXIT.usage;
    }
    const saved = p.store.load();
    if (saved.problem) p.log.warn(saved.problem);
    if (!saved.ownership || saved.ownership.pausedByUs.length === 0) {
      p.log.info("the state file records no queue the daemon paused; nothing to resume");
      return EXIT.ok;
    }
    owned = saved.ownership;
  }
  try {
    await p.client.connect(io.signal);
    const observation = await p.client.observe(io.signal);
    const mine = (q: string) => owned === undefined || (owned.pausedByUs.includes(q) && !owned.held.includes(q));
    const actions = resumeAllActions(observation, p.policy).filter((a) => mine(a.queue));
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
    if (actions.length === 0) p.log.info(owned ? "no queue the daemon paused is paused now; nothing to resume" : "no managed queue is paused; nothing to resume");
    if (!(await restoreTuning(p, io.signal))) failed++;
    // Nothing is the daemon's any more: a later start must not resume or hold from stale memory.
    // With --own, a person's holds are still a person's: only the daemon's pauses are forgotten.
    if (failed === 0) {
      const problem = saveOwnership(p.store, owned ? { ...owned, pausedByUs: [] } : emptyOwnership());
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

/**
 * TUNE_CONCURRENCY (rule 15): the owner's job concurrency the state file
 * keeps goes back, for the queues whose value is still the daemon's (a
 * person's value stays); then it is forgotten. False when it could not be.
 */
async function restoreTuning(p: Prepared, signal: AbortSignal): Promise<boolean> {
  const record = p.store.tuning?.();
  if (!needsRestore(record)) {
    if (record) p.store.saveTuning?.(undefined);
    return true;
  }
  const { getSystemConfig, putSystemConfig } = p.client;
  if (!getSystemConfig || !putSystemConfig) return true;
  try {
    const r = await restoreConcurrency({ getSystemConfig, putSystemConfig }, record!, signal);
    for (const x of r.restored) p.log.info(`${x.queue} concurrency ${x.from} → ${x.to}: the owner's value, put back`, { queue: x.queue, concurrency: x.to });
    for (const x of r.leftAlone) p.log.info(`${x.queue} concurrency stays ${x.found}: set outside the daemon since it changed it`, { queue: x.queue });
    p.store.saveTuning?.(undefined);
    return true;
  } catch (e) {
    p.log.error(`could not put the owner's job concurrency back: ${isClassified(e) ? e.message : String(e)}; the state file keeps it for the next try`);
    return false;
  }
}
