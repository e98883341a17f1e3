// How a daemon command ends when something went wrong: one line and the exit
// code for a failure retrying cannot fix, or a graceful stop when a signal
// cut it short (the interrupted request is no failure).

import { FatalError, isClassified } from "../daemon/immich-api.ts";
import type { Log } from "../daemon/log.ts";
import { EXIT, exitCodeFor } from "./exit-codes.ts";

/**
 * A one-shot command cut short by SIGTERM/SIGINT: a graceful stop (exit 0,
 * as documented), said as such; the request it interrupted is no failure.
 */
export function stopped(log: Log): number {
  log.warn("stopped by a signal before finishing");
  return EXIT.ok;
}

/** One line for a failure retrying cannot fix, and its exit code; `signal` aborted means stopped, not failed. */
export function fail(log: Log, e: unknown, signal?: AbortSignal): number {
  if (signal?.aborted) return stopped(log);
  if (e instanceof FatalError || isClassified(e)) {
    const err = e instanceof FatalError ? e.error : e;
    log.error(err.message, { kind: err.kind });
    return exitCodeFor(err.kind);
  }
  log.error(`internal error: ${e instanceof Error ? e.message : String(e)}; please report it`);
  return EXIT.internal;
}
