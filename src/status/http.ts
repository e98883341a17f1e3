// The status server's face: a plain fetch handler `(Request) => Response`
// (like the simulator's), so tests call it without a socket and server.ts
// only hands it to Bun.serve. It reads the latest published snapshot and
// nothing else: no request ever reaches the loop, Immich or the API key.
// GET and HEAD only; every answer is built from the snapshot in memory.

import { renderMetrics } from "./metrics.ts";
import { CONTENT_TYPE as METRICS_TYPE } from "./prom-writer.ts";
import type { StatusSnapshot } from "./snapshot.ts";

export type StatusHandler = (req: Request) => Response;

export interface StatusHandlerOptions {
  snapshot: () => StatusSnapshot;
  /** The real clock: staleness is judged at request time, so a stuck loop shows. */
  now: () => number;
  /** The page served at / (page.ts). */
  page: string;
}

/** Longer request targets are refused (414): nothing here takes parameters. */
export const MAX_URL_LENGTH = 2048;

const TEXT = "text/plain; charset=utf-8";
const NO_STORE = { "cache-control": "no-store", "x-content-type-options": "nosniff" };

export function createStatusHandler(o: StatusHandlerOptions): StatusHandler {
  return (req) => {
    const method = req.method.toUpperCase();
    if (method !== "GET" && method !== "HEAD") {
      return finish(method, text(405, "only GET and HEAD are answered here\n", { allow: "GET, HEAD" }));
    }
    if (req.url.length > MAX_URL_LENGTH) return finish(method, text(414, "request target too long\n"));
    if (req.headers.get("content-length") && req.headers.get("content-length") !== "0") {
      return finish(method, text(413, "a GET carries no body here\n"));
    }
    const path = new URL(req.url).pathname.replace(/\/+$/, "") || "/";
    const snap = o.snapshot();
    switch (path) {
      case "/":
        return finish(method, new Response(pageIn(o.page, req.headers.get("accept-language")), {
          headers: { ...NO_STORE, "content-type": "text/html; charset=utf-8", "content-security-policy": CSP, "content-language": pageLanguage(req.headers.get("accept-language")), vary: "Accept-Language" },
        }));
      case "/healthz":
        return finish(method, healthz(snap, o.now()));
      case "/readyz":
        return finish(method, readyz(snap));
      case "/metrics":
        return finish(method, new Response(renderMetrics(snap), { headers: { ...NO_STORE, "content-type": METRICS_TYPE } }));
      case "/api/status":
        return finish(method, new Response(JSON.stringify({ ...snap, now: o.now() }), { headers: { ...NO_STORE, "content-type": "application/json; charset=utf-8" } }));
      default:
        return finish(method, text(404, "not found; try /, /healthz, /readyz, /metrics or /api/status\n"));
    }
  };
}

/** The page's languages (page.html's dictionary), English first: the fallback. */
export const PAGE_LANGUAGES = ["en", "ru"] as const;

/** The reader's language from Accept-Language: the first of PAGE_LANGUAGES by preference (q), else English. */
export function pageLanguage(header: string | null): (typeof PAGE_LANGUAGES)[number] {
  if (!header) return "en";
  const ranked = header
    .split(",")
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((x) => /^\s*q=([\d.]+)\s*$/.exec(x)?.[1]).find((x) => x !== undefined);
      return { lang: (tag ?? "").trim().toLowerCase().split("-")[0]!, q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) {
    const hit = PAGE_LANGUAGES.find((l) => l === r.lang);
    if (hit) return hit;
  }
  return "en";
}

/** The page with its <html lang> set for the reader (the page's script reads it, unless the reader's switch says otherwise). */
function pageIn(page: string, acceptLanguage: string | null): string {
  const lang = pageLanguage(acceptLanguage);
  return lang === "en" ? page : page.replace('<html lang="en">', `<html lang="${lang}">`);
}

/** The page may only talk to its own origin and load nothing from elsewhere. */
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

/** Alive: the loop reported in recently enough (it finished a cycle, or is waiting for Immich on schedule). */
export function healthz(s: StatusSnapshot, now: number): Response {
  const ago = Math.max(0, Math.round((now - s.health.lastBeatAt) / 1000));
  if (now > s.health.staleAt) return text(503, `unhealthy: the loop last reported ${ago} s ago; it is stuck or stopped\n`);
  const detail = s.health.state === "degraded" ? `, Immich not answering (${s.health.lastError ?? "unknown"}, ${s.health.failures} failed polls)` : "";
  return text(200, `ok: loop reported ${ago} s ago, state ${s.health.state}${detail}\n`);
}

/** Ready: the last look at Immich succeeded. */
export function readyz(s: StatusSnapshot): Response {
  if (s.health.ready) return text(200, "ready: the last look at Immich succeeded\n");
  const why = s.health.state === "starting" ? "not connected to Immich yet" : `the last look at Immich failed (${s.health.lastError ?? "unknown"})`;
  return text(503, `not ready: ${why}\n`);
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { ...NO_STORE, "content-type": TEXT, ...headers } });
}

/** HEAD: the same status and headers, no body. */
function finish(method: string, res: Response): Response {
  return method === "HEAD" ? new Response(null, { status: res.status, headers: res.headers }) : res;
}
