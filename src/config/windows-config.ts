// WINDOWS and TZ from the environment to a Schedule, or one error line each
// naming the variable, the part that is wrong and an example (the accepted
// text carries it). TZ is only checked when WINDOWS is set: a container may
// carry a TZ the daemon has no use for.

import { parseWindows } from "../core/window-syntax.ts";
import type { Schedule } from "../core/windows.ts";
import { checkZone, defaultZone } from "../core/zone.ts";
import { type ConfigError, configError } from "./errors.ts";
import type { EnvName } from "./variables.ts";

export function loadSchedule(
  raw: Partial<Record<EnvName, string>>,
  managed: readonly unknown[],
  fail: (e: ConfigError) => void,
): Schedule | undefined {
  const text = raw.WINDOWS;
  if (text === undefined) return undefined;
  // glibc accepts ":Europe/Berlin" (a file under zoneinfo); the name is what counts.
  const tz = raw.TZ?.replace(/^:/, "");
  const zone = tz === undefined ? defaultZone() : checkZone(tz);
  if (zone === undefined) {
    fail(configError("TZ", raw.TZ, "is not a time zone this daemon knows (POSIX rules like CET-1CEST are not accepted either)"));
  }
  const parsed = parseWindows(text, managed.filter((q): q is string => typeof q === "string"));
  if (!parsed.ok) {
    fail(configError("WINDOWS", text, parsed.problems.join("; ")));
    return undefined;
  }
  return zone === undefined ? undefined : { zone, windows: parsed.windows };
}
