// Immich's system config as the simulator serves it: `GET /api/system-config`
// answers the whole object, `PUT /api/system-config` takes the whole object,
// validates it in the profile's validator's words and, as Immich's
// QueueService does on its ConfigUpdate event, sets every concurrent queue's
// worker concurrency at once (Engine.setConcurrency). The engine's
// concurrencies are the truth of the `job` section, its storage template
// switch that of `storageTemplate.enabled`; the other sections are
// kept as the last accepted PUT left them.
//
// Evidence (FIDELITY.md): the defaults are the answers of the recorded
// v3.1.0 and v2.7.5 servers (system-config/*.json); the `job` rules (every
// concurrent queue present, `concurrency` an integer ≥ 1) and zod 4's issue
// objects were read in Immich's source (SystemConfigSchema, JobSettingsSchema)
// and checked against zod 4.x; v1–v2 messages follow class-validator's
// IsInt/IsPositive/IsObject with Nest's parent-path prefix (inferred). The
// other sections are checked by JSON type against the recorded shape only:
// Immich's finer rules there (enums, ranges, URLs, cron) are not modelled.

import type { Engine } from "./engine-types.ts";
import { HttpError } from "./errors.ts";
import type { Profile } from "./profiles.ts";
import V2_CONFIG from "./system-config/v2.7.5.json";
import V3_CONFIG from "./system-config/v3.1.0.json";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The message a server started with IMMICH_CONFIG_FILE answers a PUT with (recorded on v2.7.5 and v3.1.0). */
export const CONFIG_FILE_MESSAGE = "Cannot update configuration while IMMICH_CONFIG_FILE is in use";

export interface SystemConfigStore {
  /** The whole config, its `job` section read from the engine now. */
  get(): JsonObject;
  /** Validates a PUT body; applies it (job concurrency live) or throws the profile's HttpError. */
  update(body: unknown): JsonObject;
}

export interface SystemConfigOptions {
  /** The server runs with IMMICH_CONFIG_FILE: every valid PUT is refused with a 400 (as recorded). */
  configFile?: boolean;
}

/** The `job` section's queues of this profile, in its recorded key order. */
export function configurableQueues(profile: Profile): string[] {
  const base = (profile.errorShape === "v3" ? V3_CONFIG : V2_CONFIG) as unknown as JsonObject;
  return Object.keys(base.job as JsonObject).filter((q) => profile.queues.includes(q));
}

export function createSystemConfig(profile: Profile, engine: Engine, opts: SystemConfigOptions = {}): SystemConfigStore {
  const queues = configurableQueues(profile);
  const base = structuredClone((profile.errorShape === "v3" ? V3_CONFIG : V2_CONFIG) as unknown as JsonObject);
  const job: JsonObject = {};
  for (const q of queues) job[q] = { concurrency: 1 };
  base.job = job;
  /** The shape PUT bodies are checked against; also the stored non-job sections. */
  let current = base;

  const get = (): JsonObject => {
    const out = structuredClone(current);
    const section: JsonObject = {};
    for (const q of queues) section[q] = { concurrency: engine.concurrency(q) };
    out.job = section;
    // The engine's storage template switch is the truth too (it makes storageTemplateMigration's jobs no-ops).
    if (isObject(out.storageTemplate)) out.storageTemplate.enabled = engine.storageTemplateEnabled();
    return out;
  };

  return {
    get,
    update(body) {
      const issues: Issue[] = [];
      // Nest validates a non-object body (v1–v2) as an empty DTO: every section is missing.
      const input = profile.errorShape === "v1" && !isObject(body) ? {} : body;
      const value = check(profile, get(), input, [], issues);
      if (issues.length > 0) {
        if (profile.errorShape === "v3") throw new HttpError(400, "Validation failed", issues);
        throw new HttpError(400, issues as string[]);
      }
      if (opts.configFile) throw new HttpError(400, CONFIG_FILE_MESSAGE);
      const next = value as JsonObject;
      current = next;
      // QueueService.onConfigUpdate: every concurrent queue at once.
      const section = next.job as Record<string, { concurrency: number }>;
      for (const q of queues) engine.setConcurrency(q, section[q]!.concurrency);
      const template = next.storageTemplate;
      if (isObject(template) && typeof template.enabled === "boolean") engine.setStorageTemplate(template.enabled);
      return get();
    },
  };
}

/** A zod issue object (v3) or a class-validator sentence (v1–v2). */
type Issue = Record<string, unknown> | string;

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** v1–v2: class-validator's sentence, prefixed with the parent path as Nest does. */
function sentence(path: (string | number)[], text: string): string {
  const names = path.map(String);
  const prop = names.at(-1) ?? "value";
  const parent = names.slice(0, -1).join(".");
  return parent ? `${parent}.${prop} ${text}` : `${prop} ${text}`;
}

function typeIssue(profile: Profile, path: (string | number)[], expected: string, value: unknown): Issue {
  if (profile.errorShape === "v3") {
    return { expected, code: "invalid_type", path, message: `Invalid input: expected ${expected}, received ${typeName(value)}` };
  }
  switch (expected) {
    case "object":
      return sentence(path, "must be an object");
    case "boolean":
      return sentence(path, "must be a boolean value");
    case "string":
      return sentence(path, "must be a string");
    case "array":
      return sentence(path, "must be an array");
    default:
      return sentence(path, "must be a number conforming to the specified constraints");
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `job.<queue>.concurrency`: zod's z.int().min(1), or class-validator's @IsInt() @IsPositive(). */
function checkConcurrency(profile: Profile, path: (string | number)[], value: unknown, issues: Issue[]): number | undefined {
  if (profile.errorShape === "v3") {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      issues.push(typeIssue(profile, path, "number", value));
    } else if (!Number.isInteger(value)) {
      issues.push({ expected: "int", format: "safeint", code: "invalid_type", path, message: "Invalid input: expected int, received number" });
    } else if (!Number.isSafeInteger(value)) {
      issues.push({
        code: "too_big",
        maximum: Number.MAX_SAFE_INTEGER,
        note: "Integers must be within the safe integer range.",
        origin: "int",
        inclusive: true,
        path,
        message: `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}`,
      });
    } else if (value < 1) {
      issues.push({ origin: "number", code: "too_small", minimum: 1, inclusive: true, path, message: "Too small: expected number to be >=1" });
    } else {
      return value;
    }
    return undefined;
  }
  const bad: string[] = [];
  if (!(typeof value === "number" && value > 0)) bad.push(sentence(path, "must be a positive number"));
  if (!(typeof value === "number" && Number.isInteger(value))) bad.push(sentence(path, "must be an integer number"));
  issues.push(...bad);
  return bad.length === 0 ? (value as number) : undefined;
}

/**
 * Checks `value` against the shape of `shape` (the config as it stands):
 * objects recursively in the shape's key order (unknown keys stripped, as
 * zod and Immich's whitelisting pipe do), leaves by JSON type, booleans also
 * as "true"/"false" strings (Immich's configBool / ValidateBoolean), a null
 * leaf as a number ≥ 0 or null (oauth.defaultStorageQuota). Returns the
 * cleaned value; problems go to `issues`.
 */
function check(profile: Profile, shape: Json, value: unknown, path: (string | number)[], issues: Issue[]): Json | undefined {
  if (path.length === 3 && path[0] === "job" && path[2] === "concurrency") return checkConcurrency(profile, path, value, issues);
  if (isObject(shape)) {
    if (!isObject(value)) {
      issues.push(typeIssue(profile, path, "object", value));
      if (profile.errorShape === "v1" && path.length > 0) {
        issues.push(sentence([...path.slice(0, -1), `nested property ${String(path.at(-1))}`], "must be either object or array"));
      }
      return undefined;
    }
    const out: JsonObject = {};
    for (const [key, sub] of Object.entries(shape)) {
      const v = check(profile, sub, value[key], [...path, key], issues);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) {
      issues.push(typeIssue(profile, path, "array", value));
      return undefined;
    }
    if (shape.length === 0) return value as Json[];
    const element = shape[0]!;
    const out: Json[] = [];
    let ok = true;
    value.forEach((v, i) => {
      const before = issues.length;
      // class-validator reports an array's elements under the array's name.
      const c = check(profile, element, v, profile.errorShape === "v3" ? [...path, i] : path, issues);
      if (issues.length > before) ok = false;
      else out.push(c as Json);
    });
    return ok ? out : undefined;
  }
  if (typeof shape === "boolean") {
    if (value === "true" || value === "false") return value === "true";
    if (typeof value === "boolean") return value;
    issues.push(typeIssue(profile, path, "boolean", value));
    return undefined;
  }
  if (typeof shape === "number" || shape === null) {
    if (shape === null && value === null) return null;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      issues.push(typeIssue(profile, path, "number", value));
      return undefined;
    }
    if (shape === null && value < 0) {
      issues.push(
        profile.errorShape === "v3"
          ? { origin: "number", code: "too_small", minimum: 0, inclusive: true, path, message: "Too small: expected number to be >=0" }
          : sentence(path, "must not be less than 0"),
      );
      return undefined;
    }
    return value;
  }
  if (typeof value !== "string") {
    issues.push(typeIssue(profile, path, "string", value));
    return undefined;
  }
  return value;
}
