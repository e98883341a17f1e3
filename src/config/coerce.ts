// From environment strings to the typed values EnvSchema checks: numbers,
// booleans, lists, lower-cased choices, and IMMICH_URL reduced to its origin.
// Coercion is strict ("1e3", "0x10" and "10s" stay strings, so the schema
// reports them) and never throws. Only IMMICH_URL reports its own errors
// here, because "why this URL is wrong" needs more than a pattern.

import { parseNotifyTargets } from "../shared/notify-targets.ts";
import { parseListenAddress } from "../shared/listen-address.ts";
import { type ConfigError, configError } from "./errors.ts";
import type { EnvName } from "./variables.ts";

/** Plain decimal notation only. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const TRUE = new Set(["true", "1", "yes"]);
const FALSE = new Set(["false", "0", "no"]);

const number = (s: string): unknown => (DECIMAL.test(s) ? Number(s) : s);
const boolean = (s: string): unknown => {
  const l = s.toLowerCase();
  return TRUE.has(l) ? true : FALSE.has(l) ? false : s;
};
const choice = (s: string): unknown => s.toLowerCase();
/** "300", "90s", "10m", "1h" to seconds; "off" stays "off"; anything else stays as given for the schema to report. */
export const duration = (s: string): unknown => {
  const l = s.toLowerCase();
  if (l === "off") return "off";
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(l);
  if (!m) return s;
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? "s") as "s" | "m" | "h"];
};
/** Items trimmed; empty items (a trailing comma) dropped. */
const list = (s: string): unknown =>
  s
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");

const COERCE: Partial<Record<EnvName, (s: string) => unknown>> = {
  MAX_CONCURRENT_JOBS: number,
  POLL_INTERVAL: number,
  MIN_POLL_INTERVAL: number,
  MAX_WAIT: duration,
  NOTIFY_OUTAGE_AFTER: duration,
  REQUEST_TIMEOUT: number,
  EXIT_TIMEOUT: number,
  DRY_RUN: boolean,
  TUNE_CONCURRENCY: boolean,
  ON_EXIT: choice,
  LOG_LEVEL: choice,
  LOG_FORMAT: choice,
  MANAGED_QUEUES: list,
  UNSAFE_QUEUES: list,
};

export interface Coerced {
  values: Partial<Record<EnvName, unknown>>;
  errors: ConfigError[];
}

/** `raw` holds only the variables that are set (non-empty after trimming). */
export function coerce(raw: Partial<Record<EnvName, string>>): Coerced {
  const values: Partial<Record<EnvName, unknown>> = {};
  const errors: ConfigError[] = [];
  for (const [name, value] of Object.entries(raw) as [EnvName, string][]) {
    if (name === "IMMICH_URL") {
      const r = immichOrigin(value);
      if (typeof r === "string") values[name] = r;
      else errors.push(configError(name, value, r.problem, { accepts: r.accepts }));
      continue;
    }
    if (name === "NOTIFY_URL") {
      const r = parseNotifyTargets(value);
      if ("problem" in r) errors.push(configError(name, value, r.problem));
      else values[name] = r;
      continue;
    }
    if (name === "PRESSURE_URL") {
      const r = httpUrl(value);
      if (typeof r === "string") values[name] = r;
      else errors.push(configError(name, value, r.problem));
      continue;
    }
    if (name === "STATUS_ADDR") {
      const r = parseListenAddress(value);
      if ("problem" in r) errors.push(configError(name, value, r.problem));
      else values[name] = r;
      continue;
    }
    const f = COERCE[name];
    values[name] = f ? f(value) : value;
  }
  return { values, errors };
}

/**
 * The origin of an Immich URL. Immich cannot be served under a sub-path
 * (API.md §1), so the only paths tolerated are "/" and "/api" (people paste
 * the API's address); anything else is a mistake worth stopping for, since
 * the daemon would otherwise talk to a web page.
 */
export function immichOrigin(raw: string): string | { problem: string; accepts: boolean } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: "is not a URL", accepts: true };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { problem: `must start with http:// or https://, not ${url.protocol}`, accepts: true };
  }
  if (url.username || url.password) {
    return { problem: "must not contain a user name or password (Immich takes the API key only)", accepts: true };
  }
  if (url.search || url.hash) {
    return { problem: "must not have a query (?…) or fragment (#…)", accepts: true };
  }
  const path = url.pathname.replace(/\/+$/, "");
  if (path !== "" && path !== "/api") {
    return {
      problem: `has the path ${path}, but Immich cannot be served under a sub-path; give the server's origin only, e.g. ${url.origin}`,
      accepts: false,
    };
  }
  return url.origin;
}

/** Any http(s) URL (PRESSURE_URL): a path is expected (/metrics). */
export function httpUrl(raw: string): string | { problem: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: "is not a URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { problem: `must start with http:// or https://, not ${url.protocol}` };
  if (url.username || url.password) return { problem: "must not contain a user name or password" };
  return url.href;
}
