// What Immich answers, as TypeBox schemas: every answer is checked against
// one of these before anything reads it, so a proxy's page, another version's
// shape or a cut-off body becomes an ImmichError naming the first field that
// is wrong, never a crash or a silent zero. Shapes from API.md §1 and the
// OpenAPI documents (v1.138.1 to v3.1.0). Extra fields are allowed: newer
// servers add some, and nothing here depends on their absence.
//
// The checks the client runs are these schemas compiled ahead of time
// (scripts/gen-checks.ts -> src/generated/checks.ts, see answers.ts): this
// module, and TypeBox with it, is imported only when an answer fails its
// check, to name the field (issue 6, idle memory).

import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { ImmichError } from "./errors.ts";

// Bounds beyond which an answer is absurd, not a big server: Immich has ~20
// queues with short camelCase names, and counts stay far below 2^53.
const Count = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
/** Most queues an answer may list (Immich has about 20). */
export const MAX_QUEUES = 200;
const QueueName = Type.String({ minLength: 1, maxLength: 200 });

/** BullMQ's counts: `jobCounts` in /jobs, `statistics` in /queues. */
export const CountsSchema = Type.Object({
  active: Count,
  completed: Count,
  failed: Count,
  delayed: Count,
  waiting: Count,
  paused: Count,
});

/** GET /server/ping */
export const PingSchema = Type.Object({ res: Type.Literal("pong") });

/** GET /server/version; v3 adds `prerelease` (an integer or null). */
export const VersionSchema = Type.Object({
  major: Count,
  minor: Count,
  patch: Count,
  prerelease: Type.Optional(Type.Union([Count, Type.Null()])),
});

/** One queue in the legacy family: a value of GET /jobs, and the answer of PUT /jobs/{queue}. */
export const JobStatusSchema = Type.Object({
  jobCounts: CountsSchema,
  queueStatus: Type.Object({ isActive: Type.Boolean(), isPaused: Type.Boolean() }),
});
export type JobStatus = Static<typeof JobStatusSchema>;

/** GET /jobs: an object keyed by queue name, in the server's order. */
export const JobsAnswerSchema = Type.Record(Type.String({ maxLength: 200 }), JobStatusSchema, { maxProperties: MAX_QUEUES });

/** One queue in the new family: an item of GET /queues, and the answer of PUT /queues/{queue}. */
export const QueueSchema = Type.Object({
  name: QueueName,
  isPaused: Type.Boolean(),
  statistics: CountsSchema,
});

/** GET /queues */
export const QueuesAnswerSchema = Type.Array(QueueSchema, { maxItems: MAX_QUEUES });

/**
 * GET and PUT /system-config (TUNE_CONCURRENCY; the GET also for the storage
 * template, pass-through.ts): the whole settings object.
 * Only `job.<queue>.concurrency` and `storageTemplate.enabled` are read; everything else is carried back as
 * it came (extra fields allowed everywhere), so this checks just that part.
 */
export const SystemConfigSchema = Type.Object({
  /** Whether Immich moves files after each metadata extraction; while off, storageTemplateMigration's jobs are skipped (core/pass-through.ts). */
  storageTemplate: Type.Optional(Type.Object({ enabled: Type.Boolean() })),
  job: Type.Record(Type.String({ maxLength: 200 }), Type.Object({ concurrency: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }), { maxProperties: MAX_QUEUES }),
});

/**
 * Both error bodies: v1–v2 `{message, error, statusCode, correlationId}`
 * (message is an array of sentences for validation errors), v3 `{message}`
 * plus `errors` (zod issues) for validation. Everything is optional: the
 * client branches on the status and only borrows the words.
 */
export const ErrorBodySchema = Type.Object({
  message: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  error: Type.Optional(Type.String()),
  statusCode: Type.Optional(Type.Integer()),
  correlationId: Type.Optional(Type.String()),
  errors: Type.Optional(
    Type.Array(
      Type.Object({
        path: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Number()]))),
        message: Type.Optional(Type.String()),
      }),
    ),
  ),
});
export type ErrorBody = Static<typeof ErrorBodySchema>;

/** The answers the client checks, by the name answers.ts calls them. */
const ANSWER_SCHEMAS = {
  ping: PingSchema,
  version: VersionSchema,
  jobStatus: JobStatusSchema,
  jobs: JobsAnswerSchema,
  queue: QueueSchema,
  queues: QueuesAnswerSchema,
  systemConfig: SystemConfigSchema,
} satisfies Record<string, TSchema>;
export type AnswerName = keyof typeof ANSWER_SCHEMAS;
/** The value an answer holds once its check passed. */
export type Answer<N extends AnswerName> = Static<(typeof ANSWER_SCHEMAS)[N]>;

/**
 * Why `value` is not the answer `name`: an invalid-answer ImmichError naming
 * the first failing field (as a JSON pointer, e.g. /thumbnailGeneration/jobCounts/active).
 */
export function invalidAnswer(name: AnswerName, value: unknown, what: string): ImmichError {
  const first = Value.Errors(ANSWER_SCHEMAS[name], value).First();
  const where = first?.path ? `at ${first.path}` : "at the top level";
  const got = first ? `; got ${preview(first.value)}` : "";
  return new ImmichError(
    "invalid-answer",
    `${what} answered JSON this daemon does not understand (${where}: ${first?.message ?? "unexpected shape"}${got}): is it a supported Immich server (v1.137 or newer)?`,
  );
}

function preview(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
