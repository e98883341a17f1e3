// The owner's controls on the status server (DESIGN.md §2 rule 16), a plain
// fetch handler beside the read-only one (http.ts): POST /api/hold, /release,
// /n, /resume-all, /missing change the control state through the daemon's
// ControlKeeper (which decides, logs, saves and wakes the loop) and answer
// JSON saying what will happen; POST /api/login and /logout trade the token
// for a session cookie; GET /api/session says whether control is on and the
// caller logged in. Off (no CONTROL_TOKEN): every POST is 403 with the reason.
// Nothing here answers with the token, and nothing but these routes changes
// anything: GET, HEAD and every other method are refused on them.

import type { Asked, Channel, ControlState } from "../core/control.ts";
import type { CommandResult, ControlCommand } from "../core/control-commands.ts";
import { parseUntil } from "../core/control-syntax.ts";
import { COOKIE, type ControlAuth, sameOrigin } from "./control-auth.ts";

export interface ControlApiOptions {
  /** Undefined: control is off (no CONTROL_TOKEN). */
  auth?: ControlAuth;
  keeper: {
    apply(cmd: ControlCommand, asked: Asked, serverQueues?: readonly string[]): CommandResult;
    readonly current: ControlState;
    readonly zone: string;
  };
  /** The queues the server listed at the latest look (for "missing"). */
  serverQueues: () => readonly string[] | undefined;
  now: () => number;
}

export type ControlHandler = (req: Request, addr?: string) => Promise<Response> | undefined;

const ACTIONS = new Set(["/api/hold", "/api/release", "/api/n", "/api/resume-all", "/api/missing"]);
const ROUTES = new Set([...ACTIONS, "/api/login", "/api/logout", "/api/session"]);
const HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff", "content-type": "application/json; charset=utf-8" };
const OFF = "control is off: the daemon was started without CONTROL_TOKEN (or CONTROL_TOKEN_FILE), so the page and this API are read-only";

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { ...HEADERS, ...headers } });
const refuse = (status: number, error: string, headers: Record<string, string> = {}) => json(status, { ok: false, error }, headers);

/** A control handler: a Promise for its routes, undefined for every other path (the read-only handler answers those). */
export function createControlHandler(o: ControlApiOptions): ControlHandler {
  return (req, addr = "unknown") => {
    const path = new URL(req.url).pathname.replace(/\/+$/, "");
    if (!ROUTES.has(path)) return undefined;
    return handle(o, req, path, addr);
  };
}

async function handle(o: ControlApiOptions, req: Request, path: string, addr: string): Promise<Response> {
  const method = req.method.toUpperCase();
  const { auth } = o;
  if (path === "/api/session") {
    if (method !== "GET" && method !== "HEAD") return refuse(405, "GET only", { allow: "GET, HEAD" });
    return json(200, { control: auth !== undefined, authenticated: auth?.hasSession(req) ?? false, zone: o.keeper.zone });
  }
  if (method !== "POST") return refuse(403, `${path} changes something, so it takes POST only (with the session and the page's Origin, or Authorization: Bearer)`);
  if (!auth) return refuse(403, OFF);
  if (auth.limited(addr)) return refuse(429, "too many failed attempts from this address; wait a minute", { "retry-after": "60" });

  const body = await readBody(req);
  if ("problem" in body) return refuse(body.status, body.problem);

  if (path === "/api/login") {
    if (!sameOrigin(req)) return refuse(403, "a login must come from the status page itself (its Origin)");
    const token = body.value.token;
    if (typeof token !== "string" || !auth.matches(token)) {
      auth.failed(addr, "a wrong token at /api/login");
      return refuse(401, "wrong token");
    }
    const s = auth.login();
    const secure = new URL(req.url).protocol === "https:" || req.headers.get("x-forwarded-proto") === "https" ? "; Secure" : "";
    return json(200, { ok: true, authenticated: true }, { "set-cookie": `${COOKIE}=${s.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${s.maxAgeS}${secure}` });
  }
  if (path === "/api/logout") {
    if (!sameOrigin(req)) return refuse(403, "a logout must come from the status page itself (its Origin)");
    auth.logout(req);
    return json(200, { ok: true, authenticated: false }, { "set-cookie": `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` });
  }

  // The actions: a bearer token, or a session from the page's own origin.
  let channel: Channel;
  const bearer = auth.bearer(req);
  if (bearer !== undefined) {
    if (!auth.matches(bearer)) {
      auth.failed(addr, `a wrong bearer token at ${path}`);
      return refuse(401, "wrong token");
    }
    channel = req.headers.get("x-control-channel") === "cli" ? "cli" : "api";
  } else if (auth.hasSession(req)) {
    if (!sameOrigin(req)) return refuse(403, "this request did not come from the status page (its Origin header is missing or names another site)");
    channel = "page";
  } else {
    auth.failed(addr, `no token or session at ${path}`);
    return refuse(401, "log in on the page first, or send Authorization: Bearer <CONTROL_TOKEN>");
  }

  const cmd = command(path, body.value, o.keeper.zone, o.now());
  if ("problem" in cmd) return refuse(400, cmd.problem);
  const r = o.keeper.apply(cmd, { at: o.now(), by: addr, channel }, o.serverQueues());
  if (!r.ok) return refuse(400, r.problem);
  return json(200, { ok: true, ...r.effect, control: o.keeper.current });
}

const FIELDS: Record<string, readonly string[]> = {
  "/api/hold": ["for", "until", "queue"],
  "/api/release": ["queue"],
  "/api/n": ["n", "for", "until"],
  "/api/resume-all": [],
  "/api/missing": ["queue"],
  "/api/login": ["token"],
  "/api/logout": [],
};

/** The body as a JSON object (empty = {}); never more than the server's 1 KB cap. */
async function readBody(req: Request): Promise<{ value: Record<string, unknown> } | { problem: string; status: number }> {
  let text: string;
  try {
    text = await req.text();
  } catch {
    return { problem: "the body could not be read", status: 400 };
  }
  if (text.trim() === "") return { value: {} };
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) return { problem: "send the body as JSON (Content-Type: application/json)", status: 415 };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: "the body is not valid JSON", status: 400 };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { problem: "the body must be a JSON object", status: 400 };
  return { value: value as Record<string, unknown> };
}

/** The body of an action as a command, or the one thing wrong with it. */
function command(path: string, b: Record<string, unknown>, zone: string, now: number): ControlCommand | { problem: string } {
  const allowed = FIELDS[path] ?? [];
  const extra = Object.keys(b).find((k) => !allowed.includes(k));
  if (extra !== undefined) return { problem: `unknown field ${JSON.stringify(extra)}; ${path} takes ${allowed.length ? allowed.map((f) => JSON.stringify(f)).join(", ") : "no fields"}` };
  const queue = b.queue;
  if (queue !== undefined && (typeof queue !== "string" || !/^[A-Za-z][A-Za-z0-9]*$/.test(queue))) return { problem: '"queue" must be a queue name such as "thumbnailGeneration"' };
  switch (path) {
    case "/api/hold": {
      const u = parseUntil(b, zone, now);
      if ("problem" in u) return u;
      return { kind: "hold", until: u.until, ...(queue ? { queue } : {}) };
    }
    case "/api/release":
      return { kind: "release", ...(queue ? { queue } : {}) };
    case "/api/n": {
      if (typeof b.n !== "number") return { problem: '"n" must be a whole number, e.g. {"n":3,"for":"4h"}' };
      const u = parseUntil(b, zone, now);
      if ("problem" in u) return u;
      return { kind: "set-n", n: b.n, until: u.until };
    }
    case "/api/resume-all":
      return { kind: "resume-all" };
    default:
      if (typeof queue !== "string") return { problem: '"queue" is required, e.g. {"queue":"thumbnailGeneration"}' };
      return { kind: "missing", queue };
  }
}
