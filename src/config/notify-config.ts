// The notification settings of the configuration: NOTIFY_URL's targets (parsed
// in coerce.ts), the token from NOTIFY_TOKEN or NOTIFY_TOKEN_FILE (exactly one),
// and the outage threshold. Kept apart from load.ts, which calls it.

import type { NotifyTarget } from "../shared/notify-targets.ts";
import { type ConfigError, configError } from "./errors.ts";
import type { ReadFile } from "./load.ts";
import type { Env } from "./schema.ts";
import { API_KEY_PATTERN, type EnvName } from "./variables.ts";

const TOKEN = new RegExp(API_KEY_PATTERN);

export interface NotifySettings {
  notifyTargets: NotifyTarget[];
  notifyToken?: string;
  notifyOutageAfterMs?: number;
}

export function notifySettings(v: Env, raw: Partial<Record<EnvName, string>>, readFile: ReadFile, fail: (e: ConfigError) => void): NotifySettings {
  const out: NotifySettings = { notifyTargets: [...(v.NOTIFY_URL ?? [])] };
  if (v.NOTIFY_OUTAGE_AFTER !== undefined) out.notifyOutageAfterMs = Math.round(v.NOTIFY_OUTAGE_AFTER * 1000);
  const file = raw.NOTIFY_TOKEN_FILE;
  if (raw.NOTIFY_TOKEN !== undefined && file !== undefined) {
    fail(configError("NOTIFY_TOKEN_FILE", file, "NOTIFY_TOKEN is set too; set only one of them", { accepts: false }));
  } else if (raw.NOTIFY_TOKEN !== undefined) {
    if (TOKEN.test(raw.NOTIFY_TOKEN)) out.notifyToken = raw.NOTIFY_TOKEN; // else the schema said so
  } else if (file !== undefined) {
    let text: string | undefined;
    try {
      text = readFile(file).trim();
    } catch (e) {
      const code = (e as { code?: string }).code;
      fail(configError("NOTIFY_TOKEN_FILE", file, `cannot read the file (${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (e as Error).message})`));
    }
    if (text === "") fail(configError("NOTIFY_TOKEN_FILE", file, "the file is empty"));
    else if (text !== undefined && !TOKEN.test(text)) fail(configError("NOTIFY_TOKEN_FILE", file, "the file holds more than one token (spaces, several lines or non-ASCII characters)"));
    else if (text !== undefined) out.notifyToken = text;
  }
  if (out.notifyToken !== undefined && out.notifyTargets.length === 0) {
    const [name, value] = file !== undefined ? (["NOTIFY_TOKEN_FILE", file] as const) : (["NOTIFY_TOKEN", raw.NOTIFY_TOKEN] as const);
    fail(configError(name, value, "NOTIFY_URL is not set, so nothing would use it; set NOTIFY_URL too, or drop it", { accepts: false }));
  } else if (raw.NOTIFY_TOKEN !== undefined && file !== undefined && TOKEN.test(raw.NOTIFY_TOKEN) && raw.NOTIFY_URL === undefined) {
    // Both set (NOTIFY_TOKEN_FILE is at fault above): the missing NOTIFY_URL is a second problem, said too.
    fail(configError("NOTIFY_TOKEN", raw.NOTIFY_TOKEN, "NOTIFY_URL is not set, so nothing would use it; set NOTIFY_URL too, or drop it", { accepts: false }));
  }
  return out;
}
