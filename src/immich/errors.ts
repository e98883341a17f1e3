// The one error type of the Immich client. Every failure, from a refused
// connection to a missing permission, becomes an ImmichError with a kind the
// daemon branches on, whether retrying may help (`transient`), and a message
// of one line that says what is wrong and what to do. Never a stack trace.

export type ErrorKind =
  | "unreachable"
  | "timeout"
  | "not-json"
  | "invalid-answer"
  | "unauthorized"
  | "forbidden"
  | "missing-scope"
  | "maintenance"
  | "server-error"
  | "bad-request"
  | "redirected";

/**
 * Whether waiting and asking again may help. DESIGN.md §2 rule 10: a failed,
 * timed-out, non-JSON or schema-invalid answer means "unknown this cycle", so
 * those are transient too (a proxy's error page or a cut-off answer comes and
 * goes); the message still carries the hint for the case where it persists.
 * What the user must fix (the key, its scopes, the URL redirecting, a request
 * the server refuses) is not.
 */
const TRANSIENT: Record<ErrorKind, boolean> = {
  unreachable: true,
  timeout: true,
  "not-json": true,
  "invalid-answer": true,
  unauthorized: false,
  forbidden: false,
  "missing-scope": false,
  maintenance: true,
  "server-error": true,
  "bad-request": false,
  redirected: false,
};

export interface ImmichErrorDetails {
  status?: number;
  /** The permission the server named (missing-scope). */
  scope?: string;
  /** Immich's correlation id (body in v1–v2, X-Correlation-ID header in v3), for matching server logs. */
  correlationId?: string;
}

export class ImmichError extends Error {
  override readonly name = "ImmichError";
  readonly status?: number;
  readonly scope?: string;
  readonly correlationId?: string;
  readonly transient: boolean;

  constructor(
    readonly kind: ErrorKind,
    message: string,
    details: ImmichErrorDetails = {},
  ) {
    super(oneLine(message));
    this.transient = TRANSIENT[kind];
    if (details.status !== undefined) this.status = details.status;
    if (details.scope !== undefined) this.scope = details.scope;
    if (details.correlationId !== undefined) this.correlationId = details.correlationId;
  }
}

/** Collapses whitespace (a server's message may hold newlines) and caps the length. */
export function oneLine(text: string, max = 600): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
