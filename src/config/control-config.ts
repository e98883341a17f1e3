// The owner's controls (DESIGN.md §2 rule 16): the token from CONTROL_TOKEN or
// CONTROL_TOKEN_FILE (exactly one), and the zone "until 07:00" is read in.
// Control is on exactly when a token is given, so there is no "control on
// without a token" to refuse; what is refused at start (exit 2) is a token
// nothing would use (no STATUS_ADDR), a short one, and an unreadable file.

import { checkZone, defaultZone } from "../core/zone.ts";
import { type ConfigError, configError } from "./errors.ts";
import type { ReadFile } from "./load.ts";
import type { Env } from "./schema.ts";
import { API_KEY_PATTERN, CONTROL_TOKEN_MIN, CONTROL_TOKEN_PATTERN, type EnvName } from "./variables.ts";

const TOKEN = new RegExp(API_KEY_PATTERN);
const LONG_ENOUGH = new RegExp(CONTROL_TOKEN_PATTERN);

export function controlToken(v: Env, raw: Partial<Record<EnvName, string>>, readFile: ReadFile, fail: (e: ConfigError) => void): string | undefined {
  const file = raw.CONTROL_TOKEN_FILE;
  let token: string | undefined;
  if (raw.CONTROL_TOKEN !== undefined && file !== undefined) {
    fail(configError("CONTROL_TOKEN_FILE", file, "CONTROL_TOKEN is set too; set only one of them", { accepts: false }));
    return undefined;
  }
  if (raw.CONTROL_TOKEN !== undefined) {
    token = v.CONTROL_TOKEN; // a bad one was reported by the schema
    if (!LONG_ENOUGH.test(raw.CONTROL_TOKEN)) return undefined;
    token = raw.CONTROL_TOKEN;
  } else if (file !== undefined) {
    let text: string;
    try {
      text = readFile(file).trim();
    } catch (e) {
      const code = (e as { code?: string }).code;
      fail(configError("CONTROL_TOKEN_FILE", file, `cannot read the file (${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (e as Error).message.split("\n")[0]})`));
      return undefined;
    }
    if (text === "") fail(configError("CONTROL_TOKEN_FILE", file, "the file is empty"));
    else if (!TOKEN.test(text)) fail(configError("CONTROL_TOKEN_FILE", file, "the file holds more than one token (spaces, several lines or non-ASCII characters)"));
    else if (text.length < CONTROL_TOKEN_MIN) fail(configError("CONTROL_TOKEN_FILE", file, `the token in the file is shorter than ${CONTROL_TOKEN_MIN} characters; make a longer one, e.g. with \`openssl rand -hex 16\``));
    else if (!LONG_ENOUGH.test(text)) fail(configError("CONTROL_TOKEN_FILE", file, "the token in the file is longer than 200 characters"));
    else token = text;
    if (token === undefined) return undefined;
  } else {
    return undefined;
  }
  if (raw.STATUS_ADDR === undefined) {
    const [name, value] = file !== undefined ? (["CONTROL_TOKEN_FILE", file] as const) : (["CONTROL_TOKEN", raw.CONTROL_TOKEN] as const);
    fail(configError(name, value, "STATUS_ADDR is not set, so nothing would use it; set STATUS_ADDR too (the controls live on the status server), or drop it", { accepts: false }));
    return undefined;
  }
  return token;
}

/** TZ when the runtime knows it (WINDOWS checks it strictly), else the system's zone. */
export const controlZone = (raw: Partial<Record<EnvName, string>>): string =>
  (raw.TZ !== undefined ? checkZone(raw.TZ.replace(/^:/, "")) : undefined) ?? defaultZone();
