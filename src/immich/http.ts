// One HTTP exchange with Immich's API, and the classification of everything
// that can go wrong with it. It sends only what Immich needs (x-api-key,
// accept, content-type: a stray cookie or Authorization header would take
// precedence over the key, API.md §2), never follows a redirect (a proxy's
// redirect turns a PUT into a GET), bounds every request by a timeout, and
// returns parsed JSON of a 2xx answer or throws an ImmichError. What the JSON
// must look like is the caller's business (schemas.ts).
//
// The timeout runs in real time (a plain timer), not on the injected
// clock, on purpose: a network wait is real whatever the simulation's speed,
// and a timer on a VirtualClock would count as "the task is asleep again" to
// VirtualClock.advance(), which would then move time on while the request is
// still in flight and time it out spuriously (measured: 2 false timeouts in
// 6 polls of a loop advanced by 60 s).

import { redactUrl } from "../shared/redact.ts";
import { ImmichError, oneLine } from "./errors.ts";
import { BodyTooLarge, parseGuarded, readLimited } from "./json-guard.ts";
import { type ErrorBody, isErrorBody } from "./answers.ts";

/** Bun's fetch, or anything with its signature (tests pass the real one too). */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface Transport {
  /** The server's origin, e.g. "http://127.0.0.1:2283" (no trailing slash). */
  baseUrl: string;
  apiKey: string;
  fetch: Fetch;
  /** Real milliseconds one request (answer and body) may take. */
  timeoutMs: number;
}

export interface ApiRequest {
  method: "GET" | "PUT";
  /** Under /api, e.g. "/jobs" or "/queues/thumbnailGeneration". */
  path: string;
  body?: unknown;
  /** Public endpoints (ping, version) get no key: the less it travels, the better. */
  auth: boolean;
  signal?: AbortSignal;
  /**
   * The text of an earlier 2xx answer to this request that the caller has
   * already checked: a 2xx answer with exactly this text comes back as
   * `{ repeat: true }`, neither parsed nor checked again.
   */
  known?: string;
}

export type Answer = { status: number; json: unknown; text: string; repeat?: false } | { status: number; repeat: true };

/** "GET /api/jobs", for messages. */
export const describeRequest = (r: Pick<ApiRequest, "method" | "path">) => `${r.method} /api${r.path}`;

/**
 * Sends one request. Resolves with the JSON of a 2xx answer; throws an
 * ImmichError for anything else. If the caller's signal aborts, rejects with
 * the signal's reason (as fetch does), so the caller can tell a cancellation
 * from a failure.
 */
export async function send(t: Transport, r: ApiRequest): Promise<Answer> {
  if (r.signal?.aborted) throw r.signal.reason;
  const url = `${t.baseUrl}/api${r.path}`;
  const headers: Record<string, string> = { accept: "application/json" };
  if (r.auth) headers["x-api-key"] = t.apiKey;
  if (r.body !== undefined) headers["content-type"] = "application/json";

  // The request ends early if it takes too long or the caller cancels; the
  // signal also covers reading the body (a server may stall half-way). One
  // controller and a timer cleared as soon as the exchange is over: an idle
  // daemon's every poll passes here, and AbortSignal.timeout/any would leave
  // a timer behind each request that wakes the process REQUEST_TIMEOUT later.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException("the request timed out", "TimeoutError"));
  }, t.timeoutMs);
  const cancel = () => controller.abort(r.signal?.reason);
  r.signal?.addEventListener("abort", cancel, { once: true });
  const signal = controller.signal;

  let phase: "connect" | "read" = "connect";
  try {
    const res = await t.fetch(url, {
      method: r.method,
      headers,
      body: r.body === undefined ? undefined : JSON.stringify(r.body),
      redirect: "manual",
      signal,
    });
    phase = "read";
    const text = await readLimited(res);
    if (res.ok && text === r.known) return { status: res.status, repeat: true };
    return interpret(t, r, res, text);
  } catch (e) {
    if (e instanceof ImmichError) throw e;
    if (e instanceof BodyTooLarge) {
      throw new ImmichError(
        "invalid-answer",
        `${describeRequest(r)} at ${t.baseUrl} answered more than ${e.limit / 1024} KB, far more than any Immich answer: not trusted, not read further`,
      );
    }
    if (r.signal?.aborted) throw r.signal.reason;
    if (timedOut) {
      throw new ImmichError(
        "timeout",
        `Immich at ${t.baseUrl} did not answer ${describeRequest(r)} within ${t.timeoutMs / 1000} s: it may be starting or overloaded; raise REQUEST_TIMEOUT if it is only slow`,
      );
    }
    const cause = networkCause(e);
    throw new ImmichError(
      "unreachable",
      phase === "connect"
        ? `cannot reach Immich at ${t.baseUrl} (${cause}): check IMMICH_URL and that the server is running`
        : `the connection to Immich at ${t.baseUrl} broke while reading the answer to ${describeRequest(r)} (${cause})`,
    );
  } finally {
    clearTimeout(timer);
    r.signal?.removeEventListener("abort", cancel);
  }
}

/** Bun's fetch errors carry a code (ECONNREFUSED, ECONNRESET, ENOTFOUND...). */
function networkCause(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  switch (code) {
    case "ECONNREFUSED":
    case "ConnectionRefused":
      return "connection refused";
    case "ECONNRESET":
    case "ConnectionClosed":
      return "connection closed by the other side";
    case "ENOTFOUND":
    case "EAI_NONAME":
      return "host name not found";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "no route to the host";
    case "ETIMEDOUT":
      return "connection timed out";
  }
  const message = e instanceof Error ? e.message : String(e);
  return oneLine(typeof code === "string" ? `${code}: ${message}` : message, 160);
}

function interpret(t: Transport, r: ApiRequest, res: Response, text: string): Answer {
  const what = describeRequest(r);
  if (res.status >= 300 && res.status < 400) {
    const location = res.headers.get("location");
    throw new ImmichError(
      "redirected",
      `${what} at ${t.baseUrl} was redirected (${res.status}) to ${location === null ? "nowhere" : oneLine(redactUrl(location), 200)}: set IMMICH_URL to the address Immich answers on directly${suggestOrigin(location, t.baseUrl)}; the daemon never follows redirects, as they can turn a pause into a read`,
      { status: res.status },
    );
  }

  // Deep nesting would blow the schema checks' stack, a repeated key would be
  // dropped silently by JSON.parse (json-guard.ts).
  const guarded = parseGuarded(text);
  if (guarded && "hazard" in guarded && res.ok) {
    throw new ImmichError("invalid-answer", `${what} at ${t.baseUrl} answered JSON the daemon cannot trust (${guarded.hazard}); taking no action on it`, { status: res.status });
  }
  const parsed = guarded !== undefined && "json" in guarded;
  const json = parsed ? guarded.json : undefined;

  if (res.ok) {
    if (!parsed) throw notJson(t, what, res, text);
    return { status: res.status, json, text };
  }
  throw failure(t, r, res, parsed ? json : undefined, parsed ? undefined : text);
}

/** If the redirect points at an API on another origin, that origin is probably what IMMICH_URL should be. */
function suggestOrigin(location: string | null, baseUrl: string): string {
  if (!location) return "";
  try {
    const target = new URL(location, baseUrl);
    if (target.origin !== baseUrl && target.pathname.startsWith("/api/")) return ` (perhaps ${target.origin})`;
  } catch {
    // An unparsable Location: nothing to suggest.
  }
  return "";
}

function notJson(t: Transport, what: string, res: Response, text: string): ImmichError {
  const type = res.headers.get("content-type") ?? "";
  const status = res.status;
  if (text.trim() === "") {
    return new ImmichError(
      "not-json",
      `${what} at ${t.baseUrl} answered ${status} with an empty body instead of JSON: IMMICH_URL must be the Immich server's origin (e.g. http://host:2283)`,
      { status },
    );
  }
  if (/json/i.test(type)) {
    // Announced as JSON but does not parse: cut off on the way.
    return new ImmichError(
      "not-json",
      `${what} at ${t.baseUrl} answered ${status} with incomplete JSON (${text.length} bytes that do not parse): the connection or a proxy cut the answer short`,
      { status },
    );
  }
  const looksHtml = /html/i.test(type) || /^\s*</.test(text);
  return new ImmichError(
    "not-json",
    `${what} at ${t.baseUrl} answered ${status} with ${looksHtml ? "an HTML page" : `something other than JSON (${type || "no content type"})`}: IMMICH_URL must be the Immich server's origin (e.g. http://host:2283), not a sub-path or a web page in front of it`,
    { status },
  );
}

/** The words of an error answer: Immich's message (validation details included) and correlation id. */
function errorWords(res: Response, body: unknown): { message?: string; correlationId?: string } {
  const b: ErrorBody = isErrorBody(body) ? body : {};
  let message = Array.isArray(b.message) ? b.message.join("; ") : b.message;
  const issue = b.errors?.[0];
  if (message !== undefined && issue?.message) {
    // v3 validation: "Validation failed" alone says nothing; the first issue says what.
    const path = issue.path?.length ? `${issue.path.join(".")}: ` : "";
    message = `${message}: ${path}${issue.message}`;
  }
  const correlationId = b.correlationId ?? res.headers.get("x-correlation-id") ?? undefined;
  const words: { message?: string; correlationId?: string } = {};
  if (message !== undefined) words.message = oneLine(message, 200);
  if (correlationId !== undefined) words.correlationId = correlationId;
  return words;
}

function failure(t: Transport, r: ApiRequest, res: Response, body: unknown, nonJsonText: string | undefined): ImmichError {
  const status = res.status;
  const what = describeRequest(r);
  const { message, correlationId } = errorWords(res, body);
  const said = message !== undefined ? `${status} ${message}` : `${status}`;
  const details = correlationId !== undefined ? { status, correlationId } : { status };
  const ref = correlationId !== undefined ? `, correlation id ${correlationId}` : "";
  const notImmich = nonJsonText !== undefined ? " (the answer was not Immich's JSON: a proxy in front of it?)" : "";

  if (status === 401) {
    let advice = "check API_KEY; create a key under Account Settings → API Keys";
    if (message === "Authentication required") {
      advice = "no key reached the server; set API_KEY, and if a proxy sits in front of Immich make it pass the x-api-key header";
    } else if (message === "Invalid user token") {
      advice = "something (a proxy?) adds a cookie or Authorization header, which Immich prefers over the API key; send only x-api-key";
    }
    return new ImmichError("unauthorized", `Immich at ${t.baseUrl} refused the API key (${said} on ${what})${notImmich}: ${advice}`, details);
  }

  if (status === 403) {
    const scope = /^Missing required permission: (\S+)/.exec(message ?? "")?.[1];
    if (scope !== undefined) {
      return new ImmichError(
        "missing-scope",
        `the API key lacks the permission ${scope} (403 on ${what}): edit the key under Account Settings → API Keys and grant ${scope}`,
        { ...details, scope },
      );
    }
    return new ImmichError(
      "forbidden",
      `Immich at ${t.baseUrl} refused ${what} (${said})${notImmich}: the API key's user is not an admin; create the key while logged in as an admin`,
      details,
    );
  }

  if (status === 404) {
    if (r.path.startsWith("/jobs") || r.path.startsWith("/queues")) {
      return new ImmichError(
        "maintenance",
        `Immich at ${t.baseUrl} answers, but not ${what} (404): it is probably in maintenance mode or still starting; waiting for it`,
        details,
      );
    }
    return new ImmichError(
      nonJsonText !== undefined ? "not-json" : "invalid-answer",
      `${what} at ${t.baseUrl} does not exist (404): this is not an Immich server's API; IMMICH_URL must be the server's origin (e.g. http://host:2283)`,
      details,
    );
  }

  if (status >= 500 || status === 408 || status === 429) {
    return new ImmichError(
      "server-error",
      `Immich at ${t.baseUrl} failed ${what} (${said}${ref})${notImmich}: a problem on the server's side; retrying`,
      details,
    );
  }

  if (nonJsonText !== undefined) {
    // A 406 HTML page is what a proxy or the web app answers on a wrong path.
    return notJson(t, what, res, nonJsonText);
  }

  const advice =
    r.method === "PUT"
      ? "Immich does not accept this for that queue (a queue name it does not know, or a queue it refuses to pause)"
      : "this Immich version does not accept the request; please report it";
  return new ImmichError("bad-request", `Immich at ${t.baseUrl} refused ${what} (${said}${ref}): ${advice}`, details);
}
