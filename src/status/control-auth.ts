// Who may give the owner's instructions (DESIGN.md §2 rule 16): whoever
// knows CONTROL_TOKEN. The page trades it once for a session (a random id in
// an HttpOnly, SameSite=Strict cookie, kept in memory: a restart asks for the
// token again); the API and the command line send it as `Authorization:
// Bearer`. The token is compared in constant time (SHA-256 of both sides,
// then timingSafeEqual: equal lengths whatever was sent), kept only as its
// hash, and never written anywhere. Failed attempts are limited per address
// and said in one log line per burst.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A session lasts this long after the login (the page asks again after). */
export const SESSION_MS = 30 * 86_400_000;
/** At most this many sessions at once; the oldest goes first. */
export const MAX_SESSIONS = 64;
/** Failed attempts allowed per address within FAIL_WINDOW_MS; beyond, 429 until the window has passed. */
export const MAX_FAILURES = 5;
export const FAIL_WINDOW_MS = 60_000;
export const COOKIE = "ijd_session";

const hash = (s: string) => createHash("sha256").update(s, "utf8").digest();

export interface AuthLog {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export type Credential = { ok: true; channel: "page" | "bearer" } | { ok: false; status: 401 | 429; reason: string };

export class ControlAuth {
  private readonly tokenHash: Buffer;
  private readonly sessions = new Map<string, number>();
  /** Per address: failures in the current burst, when it began, whether it was said. */
  private readonly failures = new Map<string, { count: number; since: number; said: number }>();

  constructor(
    token: string,
    private readonly now: () => number,
    private readonly log: AuthLog,
  ) {
    this.tokenHash = hash(token);
  }

  /** Constant-time: the time taken does not depend on how much of the token was right. */
  matches(candidate: string): boolean {
    return timingSafeEqual(hash(candidate), this.tokenHash);
  }

  /** 429 while `addr` has failed too often within the window. */
  limited(addr: string): boolean {
    const f = this.failures.get(addr);
    if (!f) return false;
    if (this.now() - f.since >= FAIL_WINDOW_MS) return false;
    return f.count >= MAX_FAILURES;
  }

  /** A failed attempt: counted, and said once per burst (the first), with the count of the previous burst if any. */
  failed(addr: string, what: string): void {
    const now = this.now();
    let f = this.failures.get(addr);
    if (!f || now - f.since >= FAIL_WINDOW_MS) {
      const before = f && f.count > f.said ? `; ${f.count} failed in the burst before` : "";
      f = { count: 0, since: now, said: 0 };
      this.failures.set(addr, f);
      this.log.warn(`refused a control request from ${addr}: ${what}${before}; more from there within a minute are counted, not logged, and after ${MAX_FAILURES} answered 429`, { control: "refused", by: addr });
      f.said = 1;
    }
    f.count++;
    // Bounded memory under a scan from many addresses.
    if (this.failures.size > 1024) this.failures.delete(this.failures.keys().next().value!);
  }

  /** A session for a correct token. */
  login(): { id: string; maxAgeS: number } {
    const id = randomBytes(32).toString("base64url");
    this.sessions.set(id, this.now() + SESSION_MS);
    while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    return { id, maxAgeS: SESSION_MS / 1000 };
  }

  logout(req: Request): void {
    const id = sessionId(req);
    if (id) this.sessions.delete(id);
  }

  /** Whether the request carries a live session cookie. */
  hasSession(req: Request): boolean {
    const id = sessionId(req);
    if (!id) return false;
    const until = this.sessions.get(id);
    if (until === undefined) return false;
    if (until <= this.now()) {
      this.sessions.delete(id);
      return false;
    }
    return true;
  }

  /** The bearer header's token, when the request has one. */
  bearer(req: Request): string | undefined {
    const h = req.headers.get("authorization");
    const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
    return m ? m[1] : undefined;
  }
}

function sessionId(req: Request): string | undefined {
  const cookies = req.headers.get("cookie");
  if (!cookies) return undefined;
  for (const part of cookies.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === COOKIE) return v.join("=");
  }
  return undefined;
}

/**
 * CSRF: a state-changing request with a session must come from the page's own
 * origin. Browsers send Origin with every POST; it must name the host the
 * request was sent to (Host, or X-Forwarded-Host behind a reverse proxy).
 */
export function sameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  if (!origin || origin === "null") return false;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  const hosts = [req.headers.get("host"), ...(req.headers.get("x-forwarded-host")?.split(",") ?? [])].map((h) => h?.trim().toLowerCase());
  return hosts.includes(host.toLowerCase());
}
