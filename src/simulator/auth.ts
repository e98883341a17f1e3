// Who may call what: the simulator's API keys and Immich's authentication
// checks, in Immich's order (AuthService.validate, then authenticate):
// 1. credentials: a shared-link key/slug or a session token (bearer header,
//    session cookie, user/session-token headers) take precedence over the API
//    key; the simulator has no sessions or shared links, so those always fail
//    with Immich's message; then `x-api-key` (or `?apiKey=`); nothing at all is
//    401 "Authentication required";
// 2. admin-only routes: 403 "Forbidden" for a non-admin's key;
// 3. the route's permission: 403 "Missing required permission: <scope>"
//    unless the key has it or `all`.

import { HttpError } from "./errors.ts";

export interface ApiKey {
  key: string;
  /** Names the caller in the recording (the actor of pause changes). */
  label: string;
  /** Whether the key belongs to an admin user. */
  admin: boolean;
  /** Immich permissions, e.g. ["job.read", "job.create"] or ["all"]. */
  scopes: string[];
}

/** What a protected route asks of the caller (public routes authenticate no one). */
export interface Requirement {
  adminOnly: boolean;
  /** The Immich permission the key needs (scope `all` grants every one). */
  permission: string;
}

const KEY_RE = /^[A-Za-z0-9_-]+$/;
const SCOPE_RE = /^(all|[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)+)$/;

/**
 * Parses `--key` values: `[label=]KEY[:scope,scope...][:admin|:user]`.
 * Scopes default to `all`, the role to admin, the label to the key itself.
 * Returns a one-line error message on bad input.
 */
export function parseKeySpec(spec: string): ApiKey | string {
  const usage = "expected [label=]KEY[:scope1,scope2][:admin|:user], e.g. daemon=secret1:job.read,job.create";
  let rest = spec;
  let label: string | undefined;
  const eq = rest.indexOf("=");
  if (eq >= 0) {
    label = rest.slice(0, eq);
    rest = rest.slice(eq + 1);
    if (!label) return `--key ${JSON.stringify(spec)}: empty label; ${usage}`;
  }
  const parts = rest.split(":");
  const key = parts[0] ?? "";
  if (!KEY_RE.test(key)) {
    return `--key ${JSON.stringify(spec)}: the key must be letters, digits, "-" or "_"; ${usage}`;
  }
  let admin = true;
  let scopes = ["all"];
  let tail = parts.slice(1);
  const last = tail.at(-1);
  if (last === "admin" || last === "user") {
    admin = last === "admin";
    tail = tail.slice(0, -1);
  }
  if (tail.length > 1) return `--key ${JSON.stringify(spec)}: too many ":" parts; ${usage}`;
  if (tail.length === 1) {
    scopes = (tail[0] ?? "").split(",");
    const bad = scopes.find((s) => !SCOPE_RE.test(s));
    if (bad !== undefined) {
      return `--key ${JSON.stringify(spec)}: bad scope ${JSON.stringify(bad)}; scopes look like job.read or all; ${usage}`;
    }
  }
  return { key, label: label ?? key, admin, scopes };
}

/** The admin key of `--api-key`: scope `all`, labelled "admin" unless `label=KEY`. */
export function adminKey(spec: string): ApiKey | string {
  const eq = spec.indexOf("=");
  const label = eq >= 0 ? spec.slice(0, eq) : "admin";
  const key = eq >= 0 ? spec.slice(eq + 1) : spec;
  if (!label || !KEY_RE.test(key)) {
    return `--api-key ${JSON.stringify(spec)}: expected [label=]KEY with letters, digits, "-" or "_"`;
  }
  return { key, label, admin: true, scopes: ["all"] };
}

function isGranted(key: ApiKey, permission: string): boolean {
  return key.scopes.includes("all") || key.scopes.includes(permission);
}

function bearerToken(headers: Headers): string | undefined {
  const [type, token] = (headers.get("authorization") ?? "").split(" ", 2);
  return type?.toLowerCase() === "bearer" && token ? token : undefined;
}

function cookieToken(headers: Headers): string | undefined {
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === "immich_access_token") {
      const value = part.slice(eq + 1).trim();
      if (value) return value;
    }
  }
  return undefined;
}

/**
 * Authenticates a request for a route. Returns the caller's key, or the
 * HttpError Immich would answer. Routes with no requirement never call this.
 */
export function authenticate(
  headers: Headers,
  query: URLSearchParams,
  keys: readonly ApiKey[],
  requirement: Requirement,
): ApiKey | HttpError {
  if (headers.get("x-immich-share-key") || query.get("key")) {
    return new HttpError(401, "Invalid share key");
  }
  if (headers.get("x-immich-share-slug") || query.get("slug")) {
    return new HttpError(401, "Invalid share slug");
  }
  const session =
    headers.get("x-immich-user-token") ||
    headers.get("x-immich-session-token") ||
    query.get("sessionKey") ||
    bearerToken(headers) ||
    cookieToken(headers);
  if (session) return new HttpError(401, "Invalid user token");

  const presented = headers.get("x-api-key") || query.get("apiKey");
  if (!presented) return new HttpError(401, "Authentication required");
  const key = keys.find((k) => k.key === presented);
  if (!key) return new HttpError(401, "Invalid API key");

  if (requirement.adminOnly && !key.admin) return new HttpError(403, "Forbidden");
  if (!isGranted(key, requirement.permission)) {
    return new HttpError(403, `Missing required permission: ${requirement.permission}`);
  }
  return key;
}
