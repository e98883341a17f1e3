// The simulator's Immich face: a plain fetch handler `(Request) => Promise<Response>`
// (like hono's core), so tests can call it without a socket and server.ts
// only has to hand it to Bun.serve. It serves the profile's endpoints under
// /api with Immich's authentication and error bodies, and applies the faults
// (faults.ts) on the way:
// - outage after a restart (503, if chosen instead of refused connections);
// - added latency (real time), then one seeded draw per request:
//   "error" (500) and "html" (a page instead of JSON) answer before the
//   request reaches Immich, so nothing changes; "garbage" (truncated JSON)
//   and "reset" (connection dropped mid-answer) happen after the request
//   took effect, as when a proxy or the network fails on the way back;
//   "partial" leaves queues out of a successful queue list (GET /api/queues
//   or /api/jobs; any other request is answered as usual), and so does
//   `hiddenQueues`, always, for the queues it names;
// - maintenance mode: every route but ping and version answers 404.
// Paths outside /api get what Immich's web server gives them: GET serves
// the web app's page, anything else is Nest's 404.

import type { Clock } from "../shared/clock.ts";
import { type ApiKey, authenticate } from "./auth.ts";
import type { Engine } from "./engine-types.ts";
import { HttpError, correlationHeader, errorResponse, routeNotFound } from "./errors.ts";
import { type Faults, HTML_PAGE, partialList, truncatedJson } from "./faults.ts";
import { parseQuery, readJsonBody } from "./http-request.ts";
import { type Answer, matchRoute } from "./http-routes.ts";
import type { Profile } from "./profiles.ts";
import { type SystemConfigStore, createSystemConfig } from "./system-config.ts";

export type FetchHandler = (req: Request) => Promise<Response>;

export interface ImmichHandlerOptions {
  profile: Profile;
  engine: Engine;
  /** The simulation's clock: the outage window after a restart is in its time. */
  clock: Clock;
  /** Keys accepted in `x-api-key`; read on every request, so callers may add keys later. */
  keys: readonly ApiKey[];
  faults: Faults;
  /** The system config; default: Immich's defaults over this engine (system-config.ts). */
  config?: SystemConfigStore;
  /** Waits for the added latency, in real time (systemClock.sleep in production). */
  realSleep: (ms: number) => Promise<void>;
  /** Correlation ids; default: 8 random base-36 characters like Immich's (nestjs-cls). */
  correlationId?: () => string;
  /** Told about unexpected exceptions (answered 500 like Immich does); a bug if it ever fires. */
  onError?: (error: unknown) => void;
}

const JSON_TYPE = "application/json; charset=utf-8";

/** The web app's page, as Immich serves it outside /api (and a proxy might instead of JSON). */
const htmlPage = () => new Response(HTML_PAGE, { status: 200, headers: { "content-type": "text/html; charset=utf-8" } });

/** The routes that still answer in maintenance mode (paths under /api, lower case). */
const MAINTENANCE_OPEN = new Set(["/server/ping", "/server/version"]);

export function createImmichHandler(opts: ImmichHandlerOptions): FetchHandler {
  const { profile, engine, clock, faults } = opts;
  const newId = opts.correlationId ?? randomCorrelationId;
  const config = opts.config ?? createSystemConfig(profile, engine);

  return async (req) => {
    // v1–v2 take the caller's x-immich-cid if it sends one (Immich's cls
    // middleware), and answer it on every response.
    const cid = (profile.errorShape === "v1" && req.headers.get("x-immich-cid")) || newId();
    const fail = (error: HttpError) => errorResponse(profile, error, cid);
    const url = new URL(req.url);
    const isHead = req.method.toUpperCase() === "HEAD";
    const method = isHead ? "GET" : req.method.toUpperCase();
    // Express ignores one trailing slash ("/api/jobs/" is "/api/jobs").
    const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/$/, "") : url.pathname;

    if (!/^\/api(\/|$)/i.test(pathname)) {
      if (method === "GET") return htmlPage();
      return fail(routeNotFound(req.method, url.pathname));
    }

    if (clock.now() < faults.unavailableUntil) {
      return fail(new HttpError(503, "Service Unavailable", undefined, true));
    }
    const { latencyMs, maintenance } = faults.config;
    if (latencyMs > 0) await opts.realSleep(latencyMs);

    const fate = faults.draw();
    if (fate === "error") return fail(new HttpError(500, "Internal server error", undefined, true));
    if (fate === "html") return htmlPage();

    let response = await answer(req, url, method, pathname.slice(4) || "/", maintenance, cid);
    if (isHead) {
      return new Response(null, { status: response.status, headers: response.headers });
    }
    if (fate === "garbage") {
      // A mangled answer always has a body; a 204 becomes a 200 carrying it.
      const text = await response.text();
      response = new Response(truncatedJson(text || "{}"), {
        status: response.status === 204 ? 200 : response.status,
        headers: { ...Object.fromEntries(response.headers), "content-type": JSON_TYPE },
      });
    } else if (fate === "reset") {
      response = resetAfterHeaders(await response.text());
    } else if (method === "GET" && response.status === 200 && /^\/(queues|jobs)$/i.test(pathname.slice(4))) {
      const hidden = new Set(faults.config.hiddenQueues);
      const partial = fate === "partial";
      if (partial || hidden.size > 0) {
        const keep = (name: string) => !hidden.has(name) && (!partial || faults.keeps());
        response = new Response(partialList(await response.text(), keep), { status: 200, headers: response.headers });
      }
    }
    return response;
  };

  async function answer(
    req: Request,
    url: URL,
    method: string,
    apiPath: string,
    maintenance: boolean,
    cid: string,
  ): Promise<Response> {
    const fail = (error: HttpError) => errorResponse(profile, error, cid);
    // v3 sends its id only on errors; v1–v2 on every answer.
    const idHeader: Record<string, string> = profile.errorShape === "v1" ? correlationHeader(profile, cid) : {};
    try {
      if (maintenance && !MAINTENANCE_OPEN.has(apiPath.toLowerCase())) throw routeNotFound(req.method, url.pathname);
      const match = matchRoute(profile, method, apiPath);
      if (!match) throw routeNotFound(req.method, url.pathname);
      const { route, params } = match;

      let caller: ApiKey | undefined;
      if (route.requirement) {
        const auth = authenticate(req.headers, url.searchParams, opts.keys, route.requirement);
        if (auth instanceof HttpError) throw auth;
        caller = auth;
      }

      const result: Answer = await route.handle({
        profile,
        engine,
        config,
        caller,
        params,
        query: parseQuery(url.searchParams),
        body: () => readJsonBody(req),
      });
      if (result.json === undefined) return new Response(null, { status: result.status, headers: idHeader });
      return new Response(JSON.stringify(result.json), {
        status: result.status,
        headers: { ...idHeader, "content-type": JSON_TYPE },
      });
    } catch (e) {
      if (e instanceof HttpError) return fail(e);
      opts.onError?.(e);
      return fail(new HttpError(500, "Internal server error", undefined, true));
    }
  }
}

/** nestjs-cls's default request id: 8 base-36 characters. */
function randomCorrelationId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => (b % 36).toString(36)).join("");
}

/**
 * A response whose body breaks off after its first bytes: Bun's server then
 * drops the connection, and the client sees ECONNRESET (or, without a socket,
 * a body that fails to read).
 */
function resetAfterHeaders(text: string): Response {
  const head = new TextEncoder().encode(text.slice(0, Math.max(1, Math.floor(text.length / 3))));
  let sent = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(head);
      } else {
        // Erroring with no reason makes Bun close the socket without logging.
        controller.error(undefined);
      }
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": JSON_TYPE } });
}
