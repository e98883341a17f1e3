// How the client checks Immich's answers on every request: with the schemas of
// schemas.ts compiled ahead of time (scripts/gen-checks.ts ->
// src/generated/checks.ts), so TypeBox is not loaded while answers are fine
// (issue 6, idle memory). Only an answer that fails its check imports
// schemas.ts, and TypeBox with it, to name the first wrong field.

import { isErrorBody, isJobStatus, isJobsAnswer, isPing, isQueue, isQueuesAnswer, isSystemConfig, isVersion } from "../generated/checks.ts";
import type { ImmichError } from "./errors.ts";
import type { Answer, AnswerName, ErrorBody } from "./schemas.ts";

export type { Answer, AnswerName, ErrorBody };
/** Whether an error answer's body has the shape whose words the client borrows (http.ts). */
export { isErrorBody };

const CHECKS: Record<AnswerName, (value: unknown) => boolean> = {
  ping: isPing,
  version: isVersion,
  jobStatus: isJobStatus,
  jobs: isJobsAnswer,
  queue: isQueue,
  queues: isQueuesAnswer,
  systemConfig: isSystemConfig,
};

/** Whether `value` is the answer `name`: the generated check, no TypeBox. */
export function isAnswer<N extends AnswerName>(name: N, value: unknown): value is Answer<N> {
  return CHECKS[name](value);
}

/**
 * Why `value` is not the answer `name` (after isAnswer said so): an
 * invalid-answer ImmichError naming the first failing field (as a JSON
 * pointer, e.g. /thumbnailGeneration/jobCounts/active). Loads TypeBox.
 */
export async function invalidAnswer(name: AnswerName, value: unknown, what: string): Promise<ImmichError> {
  const { invalidAnswer } = await import("./schemas.ts");
  return invalidAnswer(name, value, what);
}
