// The daemon's logger: consola underneath (levels, reporters, stream
// injection), with two reporters of our own: one plain line per event for
// people and journald, or one JSON object per line for log collectors. Every
// line carries its structured fields (queue, action, reason...) so JSON users
// can filter without parsing sentences.
//
// consola/core, not consola: the package's main entry also loads its fancy
// and basic reporters (node:tty, node:util, string width tables), none of which
// we use, and they cost an idle daemon ~12 MB resident (issue 6).

import { createConsola, type ConsolaInstance, type LogObject } from "consola/core";
import type { TextOut } from "../shared/text-out.ts";
import { escapeControls, terminalSafeJson } from "../shared/escape.ts";

export type Level = "debug" | "info" | "warn" | "error";
export type Fields = Record<string, string | number | boolean | string[] | undefined>;

export interface Log {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

export interface LogOptions {
  level: Level;
  format: "text" | "json";
  /** Where lines go: warn and error to stderr, the rest to stdout. */
  stdout: TextOut;
  stderr: TextOut;
  /** The `time` field's clock: injected (only src/main.ts reads the real one), so tests get stable lines. */
  now: () => number;
}

const CONSOLA_LEVEL: Record<Level, number> = { error: 0, warn: 1, info: 3, debug: 4 };
const LEVEL_NAME: Record<number, Level> = { 0: "error", 1: "warn", 2: "info", 3: "info", 4: "debug", 5: "debug" };

export function createLog(opts: LogOptions): Log {
  const consola: ConsolaInstance = createConsola({
    level: CONSOLA_LEVEL[opts.level],
    reporters: [
      {
        log(obj: LogObject) {
          const level = LEVEL_NAME[obj.level] ?? "info";
          const [msg, fields] = obj.args as [string, Fields | undefined];
          const time = opts.now();
          const line = opts.format === "json" ? jsonLine(time, level, msg, fields) : textLine(time, level, msg);
          const stream = level === "error" || level === "warn" ? opts.stderr : opts.stdout;
          try {
            stream.write(line + "\n");
          } catch {
            // The reader went away (a closed pipe: `| head`, a stopped log
            // collector). Logging must never take the daemon down with it.
          }
        },
      },
    ],
  });
  const at = (level: Level) => (msg: string, fields?: Fields) => consola[level](msg, fields);
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

function jsonLine(time: number, level: Level, msg: string, fields?: Fields): string {
  const clean = Object.fromEntries(Object.entries(fields ?? {}).filter(([, v]) => v !== undefined));
  return terminalSafeJson(JSON.stringify({ time: new Date(time).toISOString(), level, msg, ...clean }));
}

function textLine(time: number, level: Level, msg: string): string {
  // Fields are already said in the sentence; text stays one readable line.
  return `${new Date(time).toISOString()} ${level.toUpperCase().padEnd(5)} ${escapeControls(msg)}`;
}

// Control characters, escape sequences and bidi overrides in a line: shown as
// \xNN / \uNNNN (shared/escape.ts, which `status` and `healthcheck` use too).
export { escapeControls } from "../shared/escape.ts";

/** A logger that keeps lines in memory, for tests and the demo. */
export function memoryLog(): Log & { lines: { level: Level; msg: string; fields?: Fields }[] } {
  const lines: { level: Level; msg: string; fields?: Fields }[] = [];
  const at = (level: Level) => (msg: string, fields?: Fields) => {
    lines.push({ level, msg, ...(fields ? { fields } : {}) });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
