// API keys and Immich's authentication order (API.md §2, AuthService):
// credentials (shared link, session token before API key), then admin, then
// the route's permission.

import { describe, expect, test } from "bun:test";
import { type ApiKey, type Requirement, adminKey, authenticate, parseKeySpec } from "../../src/simulator/auth.ts";
import { HttpError } from "../../src/simulator/errors.ts";

const admin: ApiKey = { key: "adm", label: "admin", admin: true, scopes: ["all"] };
const jobs: ApiKey = { key: "jb", label: "jobs", admin: true, scopes: ["job.read", "job.create"] };
const user: ApiKey = { key: "usr", label: "user", admin: false, scopes: ["all"] };
const keys = [admin, jobs, user];
const needs: Requirement = { adminOnly: true, permission: "queue.read" };

function check(headers: Record<string, string>, query = "", requirement = needs): string {
  const r = authenticate(new Headers(headers), new URLSearchParams(query), keys, requirement);
  return r instanceof HttpError ? `${r.status} ${String(r.message)}` : `ok ${r.label}`;
}

describe("authenticate", () => {
  test.each([
    [{}, "", "401 Authentication required"],
    [{ "x-api-key": "nope" }, "", "401 Invalid API key"],
    [{ "x-api-key": "usr" }, "", "403 Forbidden"],
    [{ "x-api-key": "jb" }, "", "403 Missing required permission: queue.read"],
    [{ "x-api-key": "adm" }, "", "ok admin"],
    [{}, "apiKey=adm", "ok admin"],
    // A session token of any kind takes precedence over the key: the simulator has no sessions.
    [{ "x-api-key": "adm", authorization: "Bearer tok" }, "", "401 Invalid user token"],
    [{ "x-api-key": "adm", authorization: "bearer tok" }, "", "401 Invalid user token"],
    [{ "x-api-key": "adm", cookie: "theme=dark; immich_access_token=tok" }, "", "401 Invalid user token"],
    [{ "x-api-key": "adm", "x-immich-user-token": "tok" }, "", "401 Invalid user token"],
    [{ "x-api-key": "adm" }, "sessionKey=tok", "401 Invalid user token"],
    // Other cookies and Basic auth are not session tokens.
    [{ "x-api-key": "adm", cookie: "theme=dark" }, "", "ok admin"],
    [{ "x-api-key": "adm", authorization: "Basic abc" }, "", "ok admin"],
    [{ "x-api-key": "adm", "x-immich-share-key": "s" }, "", "401 Invalid share key"],
    [{ "x-api-key": "adm" }, "slug=s", "401 Invalid share slug"],
  ])("%j %s -> %s", (headers, query, expected) => {
    expect(check(headers, query)).toBe(expected);
  });

  test("admin is checked before the scope; `all` passes every scope", () => {
    // A non-admin with `all` is refused for being a non-admin, not for a scope.
    expect(check({ "x-api-key": "usr" })).toBe("403 Forbidden");
    expect(check({ "x-api-key": "usr" }, "", { adminOnly: false, permission: "server.about" })).toBe("ok user");
    expect(check({ "x-api-key": "jb" }, "", { adminOnly: true, permission: "job.create" })).toBe("ok jobs");
  });
});

describe("key specs", () => {
  test.each([
    ["k1", { key: "k1", label: "k1", admin: true, scopes: ["all"] }],
    ["daemon=k1", { key: "k1", label: "daemon", admin: true, scopes: ["all"] }],
    ["k1:job.read,job.create", { key: "k1", label: "k1", admin: true, scopes: ["job.read", "job.create"] }],
    ["p=k2:all:user", { key: "k2", label: "p", admin: false, scopes: ["all"] }],
    ["k3:user", { key: "k3", label: "k3", admin: false, scopes: ["all"] }],
    ["k4:queueJob.read:admin", { key: "k4", label: "k4", admin: true, scopes: ["queueJob.read"] }],
  ] as [string, ApiKey][])("%s", (spec, expected) => {
    expect(parseKeySpec(spec)).toEqual(expected);
  });

  test.each(["", "=k", "k k", "k:", "k:job.read:user:x", "k:JOB", "k:job.read,,"])("rejects %j with one line", (spec) => {
    const r = parseKeySpec(spec);
    expect(typeof r).toBe("string");
    expect(r as string).not.toContain("\n");
  });

  test("--api-key", () => {
    expect(adminKey("secret")).toEqual({ key: "secret", label: "admin", admin: true, scopes: ["all"] });
    expect(adminKey("me=secret")).toEqual({ key: "secret", label: "me", admin: true, scopes: ["all"] });
    expect(typeof adminKey("bad key")).toBe("string");
  });
});
