// Talking to a running simulator in the contract tests: the standard keys
// (one per auth case of API.md §2), one `call` that makes a real HTTP request
// and returns the exchange in the shape the OpenAPI checker takes, and a
// checker that validates each exchange as a success or an error answer of
// the profile's document.

import type { ApiKey } from "../../src/simulator/auth.ts";
import type { Profile } from "../../src/simulator/profiles.ts";
import { type Exchange, type OpenApiDoc, loadOpenApi, validateError, validateSuccess } from "./openapi.ts";

export const KEYS = {
  /** An admin key with scope `all`. */
  admin: { key: "admin-all", label: "admin", admin: true, scopes: ["all"] },
  /** An admin key made before v2.4: only job.* scopes. */
  jobs: { key: "admin-jobs", label: "jobs-key", admin: true, scopes: ["job.read", "job.create"] },
  /** An admin key with queue.* scopes only (the recorded "queue key"). */
  queues: { key: "admin-queues", label: "queues-key", admin: true, scopes: ["queue.read", "queue.update"] },
  /** A non-admin user's key with scope `all`. */
  user: { key: "user-all", label: "user", admin: false, scopes: ["all"] },
} satisfies Record<string, ApiKey>;

export const ALL_KEYS: ApiKey[] = Object.values(KEYS);

export interface CallOptions {
  /** An x-api-key value; omitted = no key. */
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CallResult extends Exchange {
  correlationId: string | null;
  text: string;
}

export async function call(baseUrl: string, method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key !== undefined) headers["x-api-key"] = opts.key;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: unknown;
  if (text !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return {
    method,
    path,
    requestBody: opts.body,
    status: res.status,
    body,
    contentType: res.headers.get("content-type"),
    correlationId: res.headers.get("x-correlation-id"),
    text,
  };
}

/** Collects every exchange of a test and the contract problems found in them. */
export class ContractChecker {
  readonly doc: OpenApiDoc;
  readonly problems: string[] = [];
  readonly seen: CallResult[] = [];

  constructor(
    readonly profile: Profile,
    readonly baseUrl: string,
  ) {
    this.doc = loadOpenApi(profile.openapi);
  }

  /** Makes the call, validates the answer against the document, and returns it. */
  async call(method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
    const ex = await call(this.baseUrl, method, path, opts);
    this.seen.push(ex);
    const problems =
      ex.status < 400
        ? validateSuccess(this.doc, ex)
        : validateError(this.doc, this.profile.errorShape, ex, ex.correlationId);
    for (const p of problems) this.problems.push(`${this.profile.name} ${method} ${path} -> ${ex.status}: ${p}`);
    return ex;
  }
}
