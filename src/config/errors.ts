// How a bad setting is reported: one line per problem, naming the variable,
// the value given (secrets redacted) and what it accepts, so that a user can
// fix every problem from one run. A line quotes at most EXCERPT_CHARS of any
// value (issue 16 item 6: a 130 KB TZ was printed whole), escaped: nothing a
// terminal acts on gets through (shared/escape.ts).

import { EXCERPT_CHARS, terminalSafeJson } from "../shared/escape.ts";
import { redactNotifyUrl, redactSecret, redactUrl } from "../shared/redact.ts";
import { type EnvName, variableDoc } from "./variables.ts";

export interface ConfigError {
  /** The variable at fault. */
  variable: string;
  /** The value given, as shown to the user (secrets redacted); undefined when unset. */
  value?: string;
  /** One line: variable, value, what is wrong, what it accepts. */
  message: string;
}

/** The value as it may be shown: secrets redacted, credentials in a URL hidden. */
export function showValue(variable: EnvName, raw: string): string {
  if (variableDoc(variable).secret) return redactSecret(raw);
  if (variable === "IMMICH_URL") return redactUrl(raw);
  if (variable === "ML_URL") return raw.split(",").map((u) => redactUrl(u.trim())).join(",");
  if (variable === "NOTIFY_URL") return raw.split(/\s+/).filter((w) => w !== "").map(redactNotifyUrl).join(" ");
  return raw;
}

/** A problem says what is wrong in a sentence or two; beyond this it is cut. */
const MAX_PROBLEM_CHARS = 600;
/** A JSON string literal (how problems quote what they were given). */
const QUOTED = /"(?:[^"\\]|\\.)*"/g;

/** `"text"`, cut to EXCERPT_CHARS characters and "…". */
function quote(text: string): string {
  const chars = [...text];
  return JSON.stringify(chars.length > EXCERPT_CHARS ? `${chars.slice(0, EXCERPT_CHARS).join("")}…` : text);
}

/** Every quoted value in a problem cut short; the problem itself cut at MAX_PROBLEM_CHARS. */
function shortProblem(problem: string): string {
  const quoted = problem.replace(QUOTED, (q) => {
    if (q.length <= EXCERPT_CHARS + 2) return q;
    try {
      return quote(JSON.parse(q) as string);
    } catch {
      return q;
    }
  });
  const chars = [...quoted];
  return chars.length > MAX_PROBLEM_CHARS ? `${chars.slice(0, MAX_PROBLEM_CHARS).join("")}…` : quoted;
}

/**
 * `VAR="value": <problem>. Accepts <accepted>.` (or `VAR is not set: ...`).
 * `accepts: false` leaves out the accepted values where the problem already
 * says what to do.
 */
export function configError(
  variable: EnvName,
  raw: string | undefined,
  problem: string,
  opts: { accepts?: boolean } = {},
): ConfigError {
  const value = raw === undefined ? undefined : showValue(variable, raw);
  const subject = value === undefined ? `${variable} is not set` : `${variable}=${quote(value)}`;
  const accepts = opts.accepts === false ? "" : ` Accepts ${variableDoc(variable).accepted}.`;
  // JSON quoting escapes C0 controls; terminalSafeJson the rest a terminal acts on (C1, bidi), in the problem's words too.
  const message = terminalSafeJson(`${subject}: ${escapeC0(shortProblem(problem))}.${accepts}`);
  return { variable, ...(value === undefined ? {} : { value: JSON.parse(quote(value)) as string }), message };
}

/** The errors as printed before exiting: a heading, then one line each. */
export function formatConfigErrors(errors: readonly ConfigError[]): string {
  const heading =
    errors.length === 1 ? "The configuration has a problem:" : `The configuration has ${errors.length} problems:`;
  return [heading, ...errors.map((e) => `  - ${e.message}`)].join("\n");
}

/** C0 controls a problem's own words might carry unquoted, as \xNN. */
const escapeC0 = (text: string) => text.replace(/[\u0000-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
