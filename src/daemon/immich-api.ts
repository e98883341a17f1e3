// The daemon's view of the Immich client: the three calls it makes, and how
// it tells the client's errors apart (transient ones are retried, the rest end
// the daemon). Kept apart so that every part of the loop, and the commands and
// status server around it, classify a failure the same way.

import type { ImmichClient } from "../immich/index.ts";

/**
 * What the daemon needs of the Immich client; the system config only with
 * TUNE_CONCURRENCY (rule 15), startMissing only for the owner's "run missing" (rule 16).
 */
export type ImmichApi = Pick<ImmichClient, "connect" | "observe" | "setPaused"> &
  Partial<Pick<ImmichClient, "getSystemConfig" | "putSystemConfig" | "startMissing">>;

/** The client's errors: `transient` ones are retried, others end the daemon. */
export interface ClassifiedError {
  kind: string;
  transient: boolean;
  message: string;
}

export function isClassified(e: unknown): e is ClassifiedError {
  return typeof e === "object" && e !== null && "kind" in e && "transient" in e && "message" in e;
}

/** A failure retrying cannot fix (wrong key, missing scope, not an Immich URL). */
export class FatalError extends Error {
  constructor(readonly error: ClassifiedError) {
    super(error.message);
  }
}

/** Any thrown value as a ClassifiedError; what the client did not classify is a transient internal fault. */
export function classify(e: unknown): ClassifiedError {
  if (isClassified(e)) return e;
  if (e instanceof FatalError) return e.error;
  const message = e instanceof Error ? e.message : String(e);
  return { kind: "internal", transient: true, message };
}
