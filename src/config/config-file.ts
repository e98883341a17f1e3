// CONFIG_FILE: the same variables from a JSON object, as Home Assistant
// writes an add-on's options to /data/options.json (`{"api_key": "...",
// "max_concurrent_jobs": 2}`); also handy for systemd. A key is a variable's
// name in either case (API_KEY or api_key); a value is a string, a number,
// true/false, a list (joined with commas, as the list variables take them) or
// null (unset). The environment wins over the file, so a container's or
// unit's own settings stay in force. The values then go through exactly the
// checks of the environment (load.ts); an error about one says which key of
// which file it came from. The reader main.ts hands in is bounded
// (shared/bounded-read.ts, 64 KB, far more than any configuration): a wrong
// path to a huge file or a device is an error, not a hang.

import { MAX_FILE_BYTES, TooLarge } from "../shared/bounded-read.ts";
import { excerpt, terminalSafeJson } from "../shared/escape.ts";
import { type ConfigError, configError } from "./errors.ts";
import { likelyMeant } from "./misspelled.ts";
import { ENV_NAMES, type EnvName } from "./variables.ts";

/** Reads a file as text; throws when it cannot (main.ts: TooLarge past 64 KB). */
export type BoundedReadFile = (path: string) => string;

export interface WithConfigFile {
  /** The environment with the file's values filled in where the environment has none. */
  env: Record<string, string | undefined>;
  /** Problems with the file itself (unreadable, not an object, an unknown key, a value of no use). */
  errors: ConfigError[];
  /** For each variable the file set (and the environment did not): the key it came from. */
  fromFile: Partial<Record<EnvName, string>>;
  /** The file's path, when CONFIG_FILE is set. */
  path?: string;
}

/** The environment with CONFIG_FILE's variables under it; the environment unchanged without CONFIG_FILE. */
export function withConfigFile(env: Record<string, string | undefined>, readFile: BoundedReadFile): WithConfigFile {
  const path = env.CONFIG_FILE?.trim();
  if (!path) return { env, errors: [], fromFile: {} };
  const fail = (problem: string): WithConfigFile => ({ env, errors: [configError("CONFIG_FILE", path, problem, { accepts: false })], fromFile: {}, path });

  let text: string;
  try {
    text = readFile(path);
  } catch (e) {
    return fail(`cannot read the file (${readProblem(e)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return fail(`is not valid JSON (${(e instanceof Error ? e.message : String(e)).split("\n")[0]}); write one object of variables, e.g. {"api_key": "...", "max_concurrent_jobs": 2}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return fail(`holds ${Array.isArray(data) ? "a list" : data === null ? "null" : `a ${typeof data}`}, not an object of variables such as {"api_key": "...", "max_concurrent_jobs": 2}`);
  }

  const errors: ConfigError[] = [];
  const problem = (key: string, what: string) =>
    errors.push(configError("CONFIG_FILE", path, `key ${JSON.stringify(shortKey(key))} ${what}`, { accepts: false }));
  const values: Partial<Record<EnvName, { key: string; value: string }>> = {};
  for (const [key, value] of Object.entries(data)) {
    const name = ENV_NAMES.find((n) => n === key.toUpperCase() && (key === n || key === n.toLowerCase()));
    if (name === undefined || name === "CONFIG_FILE") {
      const meant = name === "CONFIG_FILE" ? undefined : likelyMeant(key, ENV_NAMES);
      problem(
        key,
        name === "CONFIG_FILE"
          ? "cannot name another file: set CONFIG_FILE in the environment only"
          : `is not a variable the daemon reads${meant ? `; did you mean ${meant.toLowerCase()} (${meant})?` : "; keys are the variables' names, in capitals or lower case (see --help)"}`,
      );
      continue;
    }
    const before = values[name];
    if (before) {
      problem(key, `sets ${name} again (so does ${JSON.stringify(before.key)}); keep one of them`);
      continue;
    }
    const text = asText(value);
    if (typeof text === "object") {
      problem(key, text.problem);
      continue;
    }
    if (text !== undefined) values[name] = { key, value: text };
  }

  // The environment wins: a value set there (not empty) stays.
  const merged: Record<string, string | undefined> = { ...env };
  const fromFile: Partial<Record<EnvName, string>> = {};
  for (const name of ENV_NAMES) {
    const v = values[name];
    if (v === undefined || env[name]?.trim()) continue;
    merged[name] = v.value;
    fromFile[name] = v.key;
  }
  return { env: merged, errors, fromFile, path };
}

/** A JSON value as the environment would hold it, undefined for null, or why it cannot be one. */
function asText(value: unknown): string | undefined | { problem: string } {
  if (value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : { problem: "is not a finite number" };
  if (Array.isArray(value)) {
    const items = value.map(asText);
    if (items.some((i) => typeof i !== "string")) return { problem: "is a list of something other than strings and numbers" };
    return items.join(",");
  }
  return { problem: "is an object; give a string, a number, true/false or a list" };
}

/** A key as shown in a message: never a whole novel. */
const shortKey = (key: string) => (key.length > 60 ? `${key.slice(0, 57)}...` : key);

/** Why a file could not be read, in a few words (also API_KEY_FILE's and NOTIFY_TOKEN_FILE's, in load.ts). */
export function readProblem(e: unknown): string {
  if (e instanceof TooLarge) return `larger than ${MAX_FILE_BYTES / 1024} KB: is this the right file?`;
  const code = (e as { code?: unknown })?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  const message = e instanceof Error ? e.message : String(e);
  return message.split("\n")[0] ?? "unknown error";
}

/**
 * The error as it reads for a value the file gave: after `VAR="value"`, the
 * key and the file it came from.
 */
export function fromFileError(e: ConfigError, key: string, path: string): ConfigError {
  // As errors.ts writes it (e.value is already cut short).
  const subject = terminalSafeJson(e.value === undefined ? `${e.variable} is not set` : `${e.variable}=${JSON.stringify(e.value)}`);
  if (!e.message.startsWith(subject)) return e;
  return { ...e, message: `${subject} (key ${JSON.stringify(key)} of CONFIG_FILE ${excerpt(path, 200)})${e.message.slice(subject.length)}` };
}
