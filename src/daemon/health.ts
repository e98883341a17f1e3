// The daemon's health as a small state machine: starting → ok, ok ⇄ degraded.
// A poll Immich does not answer degrades it, the next answer recovers it; each
// change of state (or of the kind of failure) is said in one line, not every
// failed poll. The same object feeds the heartbeat file and the status page.

import type { Clock } from "../shared/clock.ts";
import type { ClassifiedError } from "./immich-api.ts";
import type { Log } from "./log.ts";

/** The daemon's health, for logs and the status line. */
export interface Health {
  state: "starting" | "ok" | "degraded";
  since: number;
  lastError?: string;
  failures: number;
}

export function startingHealth(now: number): Health {
  return { state: "starting", since: now, failures: 0 };
}

/** A poll failed: count it, and say so when the state or the kind of failure changes. */
export function markDegraded(h: Health, error: ClassifiedError, clock: Clock, log: Log) {
  h.failures++;
  if (h.state !== "degraded" || h.lastError !== error.kind) {
    log.warn(`cannot observe Immich, taking no action: ${error.message}`, { kind: error.kind });
  }
  if (h.state !== "degraded") {
    h.state = "degraded";
    h.since = clock.now();
  }
  h.lastError = error.kind;
}

/** A poll was answered: back to ok, saying how long the outage lasted. */
export function markRecovered(h: Health, clock: Clock, log: Log) {
  if (h.state === "degraded") {
    const secs = Math.round((clock.now() - h.since) / 1000);
    log.info(`Immich answers again after ${h.failures} failed poll${h.failures === 1 ? "" : "s"} (${secs} s)`);
  }
  if (h.state !== "ok") {
    h.state = "ok";
    h.since = clock.now();
  }
  h.failures = 0;
  delete h.lastError;
}
