// How a bad setting is reported: one line per problem, naming the variable,
// the value given (secrets redacted) and what it accepts, so that a user can
// fix every problem from one run.

import { redactSecret, redactUrl } from "../shared/redact.ts";
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
  return raw;
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
  const subject = value === undefined ? `${variable} is not set` : `${variable}=${JSON.stringify(value)}`;
  const accepts = opts.accepts === false ? "" : ` Accepts ${variableDoc(variable).accepted}.`;
  return { variable, value, message: `${subject}: ${problem}.${accepts}` };
}

/** The errors as printed before exiting: a heading, then one line each. */
export function formatConfigErrors(errors: readonly ConfigError[]): string {
  const heading =
    errors.length === 1 ? "The configuration has a problem:" : `The configuration has ${errors.length} problems:`;
  return [heading, ...errors.map((e) => `  - ${e.message}`)].join("\n");
}
