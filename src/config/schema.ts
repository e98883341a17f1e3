// The one schema of the daemon's environment. Each property is a variable,
// keyed by its name, so a TypeBox error's path names the variable directly;
// their documentation (default, what each accepts, what it means) is in
// variables.ts, in the same order.
//
// The schema describes the variables *after* coercion from strings (numbers,
// booleans, lists): see coerce.ts. Config (the typed result the daemon uses)
// is in config.ts.
//
// Not loaded on the happy path (issue 6, idle memory): scripts/gen-checks.ts
// compiles it ahead of time into isEnv (src/generated/checks.ts), which
// load.ts runs; this module and TypeBox load only to explain a failure
// (explain.ts).

import { type Static, Type } from "@sinclair/typebox";
import { API_KEY_PATTERN, CONTROL_TOKEN_PATTERN, QUEUE_NAME_PATTERN } from "./variables.ts";

const Str = (options: { minLength?: number; pattern?: string } = {}) => Type.Optional(Type.String(options));
const Num = (minimum: number, maximum: number) => Type.Optional(Type.Number({ minimum, maximum }));

export const EnvSchema = Type.Object({
  // coerce.ts has already reduced a valid URL to its origin.
  IMMICH_URL: Str({ pattern: "^https?://[^/?#]+$" }),
  API_KEY: Str({ minLength: 1, pattern: API_KEY_PATTERN }),
  API_KEY_FILE: Str({ minLength: 1 }),
  MAX_CONCURRENT_JOBS: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  POLL_INTERVAL: Num(0.1, 3600),
  MIN_POLL_INTERVAL: Num(0.1, 3600),
  MAX_WAIT: Type.Optional(Type.Union([Type.Literal("off"), Type.Number({ minimum: 1, maximum: 30 * 86_400 })])),
  MANAGED_QUEUES: Type.Optional(Type.Array(Type.String({ pattern: QUEUE_NAME_PATTERN }), { minItems: 1 })),
  UNSAFE_QUEUES: Type.Optional(Type.Array(Type.String({ pattern: QUEUE_NAME_PATTERN }))),
  ON_EXIT: Type.Optional(Type.Union([Type.Literal("resume"), Type.Literal("keep")])),
  DRY_RUN: Type.Optional(Type.Boolean()),
  LOG_LEVEL: Type.Optional(Type.Union([Type.Literal("debug"), Type.Literal("info"), Type.Literal("warn"), Type.Literal("error")])),
  LOG_FORMAT: Type.Optional(Type.Union([Type.Literal("text"), Type.Literal("json")])),
  REQUEST_TIMEOUT: Num(0.1, 300),
  EXIT_TIMEOUT: Num(1, 300),
  WINDOWS: Str(),
  TZ: Str(),
  ML_URL: Str(),
  MAX_PRESSURE: Str(),
  TUNE_CONCURRENCY: Type.Optional(Type.Boolean()),
  // coerce.ts has already checked the URL.
  PRESSURE_URL: Str({ pattern: "^https?://" }),
  PRESSURE_DIR: Str({ minLength: 1 }),
  STATE_FILE: Str({ minLength: 1 }),
  HEALTH_FILE: Str({ minLength: 1 }),
  STATUS_ADDR: Type.Optional(Type.Object({ hostname: Type.String(), port: Type.Integer({ minimum: 0, maximum: 65535 }) })),
  CONTROL_TOKEN: Str({ pattern: CONTROL_TOKEN_PATTERN }),
  CONTROL_TOKEN_FILE: Str({ minLength: 1 }),
  NOTIFY_URL: Type.Optional(
    Type.Array(Type.Object({ kind: Type.Union([Type.Literal("ntfy"), Type.Literal("json")]), url: Type.String(), label: Type.String() })),
  ),
  NOTIFY_TOKEN: Str({ minLength: 1, pattern: API_KEY_PATTERN }),
  NOTIFY_TOKEN_FILE: Str({ minLength: 1 }),
  NOTIFY_OUTAGE_AFTER: Num(1, 7 * 86_400),
  STATE_DIRECTORY: Str({ minLength: 1 }),
  // Read by config-file.ts before anything else; here so it is a known variable like the rest.
  CONFIG_FILE: Str({ minLength: 1 }),
});

/** The environment after coercion; every variable optional. */
export type Env = Static<typeof EnvSchema>;
