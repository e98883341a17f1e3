// The heartbeat file: `run` beats it before every sleep, `healthcheck`
// (the container's HEALTHCHECK, or any supervisor) reads it. A file, not a
// socket, so the check works in a read-only container with no open port and
// costs Immich nothing. Healthy = the loop is alive: a daemon waiting for a
// down Immich is healthy (it is doing its job), one whose loop stopped is not.
//
// Freshness is the file's modification time, not a field in it (issue 6,
// idle cost): the content holds only what changes with the daemon's state,
// so an idle daemon's beat is one utimes() on a file whose text is already
// right, instead of a temporary file, a write and a rename every poll (the
// largest piece of an idle look's CPU, and a disk kept busy on a NAS). The
// mtime is always set from the daemon's clock, so readers using the same
// clock agree with it even when that clock is not the real one.

import { closeSync, fstatSync, openSync, readFileSync, rmSync, utimesSync } from "node:fs";
import { hostname } from "node:os";
import { isHeartbeat } from "../generated/checks.ts";
import { writeFileAtomic } from "../shared/atomic-write.ts";
import type { Health } from "./daemon.ts";
import type { Heartbeat } from "./file-schemas.ts";

/** Slack on top of the announced sleep: a cycle's requests and a busy machine. */
export const HEARTBEAT_GRACE_MS = 60_000;

export interface HeartbeatWriter {
  /**
   * Before every sleep: rewrites the file (atomically) when its content
   * changes, else only moves its mtime to `now`. Throws if the file cannot
   * be written.
   */
  beat(now: number, health: Health, nextPollInMs: number, rates?: Record<string, number>, autoCap?: Heartbeat["autoCap"]): void;
}

/** One per `run`: it remembers what it last wrote, so an unchanged beat is a touch. */
export function heartbeatWriter(path: string, pid: number): HeartbeatWriter {
  // Once: a process's host name does not change under it in a container, and asking costs a syscall per beat.
  const host = hostname();
  /** The text this writer last put in the file; undefined until a write succeeded. */
  let written: string | undefined;
  return {
    beat(now, health, nextPollInMs, rates, autoCap) {
      const beat: Heartbeat = {
        pid,
        staleAfterMs: nextPollInMs + HEARTBEAT_GRACE_MS,
        state: health.state,
        failures: health.failures,
        ...(health.lastError ? { lastError: health.lastError } : {}),
        ...(rates && Object.keys(rates).length > 0 ? { rates } : {}),
        host,
        ...(autoCap ? { autoCap } : {}),
      };
      // Not rounded: a drain rate moves only at a look where its queue ran with work
      // (src/core/eta.ts), so an idle daemon's rates, and so its text, stay the same.
      const text = JSON.stringify(beat) + "\n";
      if (text === written) {
        try {
          utimesSync(path, now / 1000, now / 1000);
          return;
        } catch {
          // Removed (a tmp cleaner) or otherwise not touchable: write it whole.
        }
      }
      written = undefined;
      writeFileAtomic(path, text, { pid, mtimeMs: now });
      written = text;
    },
  };
}

/** On exit: a stopped daemon must not look alive to `healthcheck`. */
export function removeHeartbeat(path: string): void {
  rmSync(path, { force: true });
}

/**
 * Whether process `pid` exists (signal 0 checks without sending). A daemon
 * killed with SIGKILL leaves a fresh heartbeat behind; without this check
 * `healthcheck` called it healthy for a minute (issue 7 item 8).
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

/** The file's content and when it was last beaten (its mtime), read through one descriptor so both are of the same file. */
function readBeat(path: string): { data: unknown; at: number } {
  const fd = openSync(path, "r");
  try {
    return { at: fstatSync(fd).mtimeMs, data: JSON.parse(readFileSync(fd, "utf8")) };
  } finally {
    closeSync(fd);
  }
}

/** Reads the heartbeat: `ok` with one line to print either way. */
export function checkHeartbeat(path: string, now: number, alive: (pid: number) => boolean = processAlive): { ok: boolean; line: string } {
  let read: { data: unknown; at: number };
  try {
    read = readBeat(path);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    return {
      ok: false,
      line: missing
        ? `unhealthy: no heartbeat at ${path}; is \`immich-job-daemon run\` running with the same HEALTH_FILE/TMPDIR?`
        : `unhealthy: cannot read the heartbeat ${path}: ${(e as Error).message}`,
    };
  }
  const { data, at } = read;
  if (!isHeartbeat(data)) return { ok: false, line: `unhealthy: ${path} is not a heartbeat of this daemon` };
  const ago = Math.round((now - at) / 1000);
  if (now > at + data.staleAfterMs) {
    return { ok: false, line: `unhealthy: the last heartbeat is ${ago} s old (pid ${data.pid}); the daemon's loop is stuck or stopped` };
  }
  // Only on the writer's host: another container's pid says nothing here.
  if ((data.host === undefined || data.host === hostname()) && !alive(data.pid)) {
    return { ok: false, line: `unhealthy: the daemon that wrote ${path} (pid ${data.pid}) is no longer running` };
  }
  const detail = data.state === "degraded" ? `, Immich not answering (${data.lastError ?? "unknown"}, ${data.failures} failed polls)` : "";
  return { ok: true, line: `healthy: last heartbeat ${ago} s ago, state ${data.state}${detail}` };
}

/** The drain rates a running daemon measured (and rule 15's N), if its heartbeat is fresh; undefined otherwise. */
export function heartbeatRates(path: string, now: number): { pid: number; rates: Record<string, number>; autoCap?: Heartbeat["autoCap"] } | undefined {
  try {
    const { data, at } = readBeat(path);
    if (!isHeartbeat(data) || now > at + data.staleAfterMs) return undefined;
    return { pid: data.pid, rates: data.rates ?? {}, ...(data.autoCap ? { autoCap: data.autoCap } : {}) };
  } catch {
    return undefined;
  }
}
