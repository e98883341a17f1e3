// The two files the daemon writes and reads back, as TypeBox schemas: the
// state file (state-file.ts) and the heartbeat (heartbeat.ts). Not loaded at
// run time (issue 6, idle memory): scripts/gen-checks.ts compiles them ahead
// of time into isState and isHeartbeat (src/generated/checks.ts), and a file
// that fails its check is reported in one line that needs no field named.

import { type Static, Type } from "@sinclair/typebox";

const Channel = Type.Union([Type.Literal("page"), Type.Literal("api"), Type.Literal("cli")]);
const Asked = { at: Type.Number(), by: Type.String(), channel: Channel };
const Hold = Type.Object({ ...Asked, until: Type.Number() });

/** The owner's instructions (core/control.ts ControlState), kept so that a restart keeps them. */
export const ControlSchema = Type.Object({
  all: Type.Optional(Hold),
  queues: Type.Optional(Type.Record(Type.String(), Hold)),
  n: Type.Optional(Type.Object({ ...Asked, n: Type.Integer({ minimum: 1 }), until: Type.Number() })),
  handsOff: Type.Optional(Type.Object(Asked)),
  missing: Type.Optional(Type.Array(Type.Object({ ...Asked, queue: Type.String() }))),
});

/** What the daemon owns, kept across restarts, and the owner's instructions in force. */
export const StateSchema = Type.Object({
  /** The format: STATE_VERSION (state-file.ts, with the version policy) when written; a newer one is read for the keys below. */
  version: Type.Integer({ minimum: 1 }),
  /** The writer's version (since 1.0.0; absent in 0.1.0's files), for the line a reader of another format logs. */
  writtenBy: Type.Optional(Type.String()),
  immichUrl: Type.String(),
  pausedByUs: Type.Array(Type.String()),
  runningByUs: Type.Array(Type.String()),
  held: Type.Array(Type.String()),
  /** TUNE_CONCURRENCY (rule 15): the owner's job concurrency per tuned queue, and what the daemon last wrote; absent when nothing is tuned. */
  tuning: Type.Optional(
    Type.Object({
      baseline: Type.Record(Type.String(), Type.Integer({ minimum: 1 })),
      expected: Type.Record(Type.String(), Type.Integer({ minimum: 1 })),
    }),
  ),
  /** Rule 16: the owner's instructions in force (holds, a temporary N, stop-managing, run-missing); absent when none. */
  control: Type.Optional(ControlSchema),
});
export type State = Static<typeof StateSchema>;

/** What `run` beats and `healthcheck` and `status` read; its freshness is the file's mtime. */
export const HeartbeatSchema = Type.Object({
  pid: Type.Integer(),
  /** The loop is late once this long has passed since the file's mtime (the announced sleep and the grace). */
  staleAfterMs: Type.Number({ minimum: 0 }),
  state: Type.Union([Type.Literal("starting"), Type.Literal("ok"), Type.Literal("degraded")]),
  failures: Type.Integer(),
  lastError: Type.Optional(Type.String()),
  /** Measured drain rates (jobs per second) per managed queue, for `status`'s ETAs. */
  rates: Type.Optional(Type.Record(Type.String(), Type.Number({ minimum: 0 }))),
  /** The writer's host name: its pid means something only on the same host (container). */
  host: Type.Optional(Type.String()),
  /** Rule 15: the N in force, its range, and the last change's reason (changes rarely: an idle beat stays a touch). */
  autoCap: Type.Optional(
    Type.Object({
      n: Type.Integer({ minimum: 1 }),
      min: Type.Integer({ minimum: 1 }),
      max: Type.Integer({ minimum: 1 }),
      lastChange: Type.Optional(Type.Object({ at: Type.Number(), reason: Type.String() })),
    }),
  ),
});
export type Heartbeat = Static<typeof HeartbeatSchema>;
