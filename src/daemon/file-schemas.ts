// The two files the daemon writes and reads back, as TypeBox schemas: the
// state file (state-file.ts) and the heartbeat (heartbeat.ts). Not loaded at
// run time (issue 6, idle memory): scripts/gen-checks.ts compiles them ahead
// of time into isState and isHeartbeat (src/generated/checks.ts), and a file
// that fails its check is reported in one line that needs no field named.

import { type Static, Type } from "@sinclair/typebox";

/** What the daemon owns, kept across restarts. */
export const StateSchema = Type.Object({
  version: Type.Literal(1),
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
