// ML_URL from the environment: the machine-learning service's URL, or
// several separated by commas as Immich takes them (IMMICH_MACHINE_LEARNING_URL).
// Each must be an http(s) URL; a path is kept (a reverse proxy may serve it
// under one), a trailing slash dropped, credentials, queries and fragments
// refused (they would travel in every probe and show in the logs).

import { httpUrl } from "./coerce.ts";
import { type ConfigError, configError } from "./errors.ts";
import { redactUrl } from "../shared/redact.ts";
import type { EnvName } from "./variables.ts";

export function loadMlUrls(raw: Partial<Record<EnvName, string>>, fail: (e: ConfigError) => void): string[] | undefined {
  const text = raw.ML_URL;
  if (text === undefined) return undefined;
  const urls: string[] = [];
  const problems: string[] = [];
  for (const item of text.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const r = mlUrl(item);
    if (typeof r === "string") urls.push(r);
    else problems.push(`${JSON.stringify(redactUrl(item))} ${r.problem}`);
  }
  if (problems.length === 0 && urls.length === 0) problems.push("names no URL");
  if (problems.length > 0) {
    fail(configError("ML_URL", text, problems.join("; ")));
    return undefined;
  }
  return [...new Set(urls)];
}

function mlUrl(raw: string): string | { problem: string } {
  const checked = httpUrl(raw);
  if (typeof checked !== "string") return checked;
  const url = new URL(checked);
  if (url.search || url.hash) return { problem: "must not have a query (?…) or fragment (#…)" };
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
