// `run`, the default command: the daemon until SIGTERM/SIGINT, with its
// heartbeat and status server, then the exit clean-up, and the exit code that
// says how it ended (a key Immich refuses, queues left paused...).

import { describeConfig } from "../config/index.ts";
import { removeHeartbeat } from "../daemon/heartbeat.ts";
import { exitCodeAfterSignal } from "../shared/signals.ts";
import { VERSION } from "../shared/version.ts";
import type { StatusWiring } from "./status-wiring.ts";
import type { CommandIO } from "./command-io.ts";
import { fail } from "./command-exit.ts";
import { EXIT } from "./exit-codes.ts";
import { newControl, newDaemon, type Prepared, prepare } from "./prepare.ts";
import type { ControlKeeper } from "../daemon/control-keeper.ts";

/** `run`: the daemon, until SIGTERM/SIGINT. */
export async function runCommand(io: CommandIO): Promise<number> {
  const p = prepare(io, { writes: ["state", "health"], pressure: true });
  if (typeof p === "number") return p;
  p.log.info(`immich-job-daemon ${VERSION} starting: ${describeConfig(p.config)}`);
  if (p.config.dryRun) p.log.info("dry run: deciding and logging only, sending no command to Immich");
  // The status server and the notifier (and their code) only when asked for.
  const control = newControl(p);
  if (p.config.statusAddr === undefined && p.config.notifyTargets.length === 0) return runDaemon(p, io, undefined, control);
  const { startStatus } = await import("./status-wiring.ts");
  const status = startStatus(p.config, p.client, io.clock, p.log, io.fetch, { control });
  if ("problem" in status) {
    p.log.error(status.problem);
    return EXIT.usage;
  }
  try {
    return await runDaemon({ ...p, client: status.client }, io, status, control);
  } finally {
    await status.stop();
  }
}

async function runDaemon(p: Prepared, io: CommandIO, status: StatusWiring | undefined, control: ControlKeeper): Promise<number> {
  const daemon = newDaemon(p, io, { heartbeat: true, autoCap: true, control, ...(status ? { status } : {}) });
  let code: number = EXIT.ok;
  try {
    await daemon.run(io.signal);
  } catch (e) {
    code = fail(p.log, e);
  }
  // Leave things as found, on a signal and after a fatal error alike; but
  // with a key Immich refuses, every resume would fail: say so once instead.
  // After a fatal error with nothing paused (a wrong URL at start) there is
  // nothing to say beyond the error itself.
  const left = daemon.owned.pausedByUs.filter((q) => !daemon.owned.held.includes(q));
  if (code === EXIT.unauthorized || code === EXIT.forbidden || (code !== EXIT.ok && left.length === 0)) {
    if (left.length > 0) {
      p.log.error(`left paused, as the key cannot resume them: ${left.join(", ")}; fix the key, then run \`immich-job-daemon resume-all\``);
    }
    removeHeartbeatOrWarn(p);
    return code;
  }
  try {
    if (io.signal.aborted && typeof io.signal.reason === "string") p.log.info(stoppingLine(io.signal.reason));
    const results = await daemon.shutdown(io.force);
    if (code === EXIT.ok && (results.some((r) => !r.ok) || daemon.concurrencyLeft)) code = EXIT.leftPaused;
  } catch (e) {
    if (code === EXIT.ok) code = fail(p.log, e);
  }
  // A stopped daemon is not healthy: `healthcheck` must not see a fresh heartbeat.
  removeHeartbeatOrWarn(p);
  return code;
}

/** A heartbeat that cannot be removed is a warning: the exit code says how the stop went. */
function removeHeartbeatOrWarn(p: Prepared): void {
  const problem = removeHeartbeat(p.config.healthFile);
  if (problem) p.log.warn(problem);
}

/** The line a signal's stop begins with; for one that is not a stop request, the exit code it will give (app.ts). */
function stoppingLine(sig: string): string {
  const code = exitCodeAfterSignal(EXIT.ok, sig);
  return code === EXIT.ok ? `${sig} received: stopping` : `${sig} received: stopping (not a stop request: exit code ${code} once the clean-up is done)`;
}
