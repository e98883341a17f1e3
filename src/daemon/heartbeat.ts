// The heartbeat file: `run` writes it before every sleep, `healthcheck`
// (the container's HEALTHCHECK, or any supervisor) reads it. A file, not a
// socket, so the check works in a read-only container with no open port and
// costs Immich nothing. Healthy = the loop is alive: a daemon waiting for a
// down Immich is healthy (it is doing its job), one whose loop stopped is not.

import { readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { writeFileAtomic } from "../shared/atomic-write.ts";
import type { Health } from "./daemon.ts";

const HeartbeatSchema = Type.Object({
  pid: Type.Integer(),
  at: Type.Number(),
  /** The loop is late once this passes. */
  staleAt: Type.Number(),
  state: Type.Union([Type.Literal("starting"), Type.Literal("ok"), Type.Literal("degraded")]),
  failures: Type.Integer(),
  lastError: Type.Optional(Type.String()),
  /** Measured drain rates (jobs per second) per managed queue, for `status`'s ETAs. */
  rates: Type.Optional(Type.Record(Type.String(), Type.Number({ minimum: 0 }))),
  /** The writer's host name: its pid means something only on the same host (container). */
  host: Type.Optional(Type.String()),
});

/** Slack on top of the announced sleep: a cycle's requests and a busy machine. */
export const HEARTBEAT_GRACE_MS = 60_000;

export function writeHeartbeat(
  path: string,
  pid: number,
  now: number,
  health: Health,
  nextPollInMs: number,
  rates?: Record<string, number>,
): void {
  const beat = {
    pid,
    at: now,
    staleAt: now + nextPollInMs + HEARTBEAT_GRACE_MS,
    state: health.state,
    failures: health.failures,
    ...(health.lastError ? { lastError: health.lastError } : {}),
    ...(rates && Object.keys(rates).length > 0 ? { rates } : {}),
    host: hostname(),
  };
  writeFileAtomic(path, JSON.stringify(beat) + "\n", { pid });
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

/** Reads the heartbeat: `ok` with one line to print either way. */
export function checkHeartbeat(path: string, now: number, alive: (pid: number) => boolean = processAlive): { ok: boolean; line: string } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    return {
      ok: false,
      line: missing
        ? `unhealthy: no heartbeat at ${path}; is \`immich-job-daemon run\` running with the same HEALTH_FILE/TMPDIR?`
        : `unhealthy: cannot read the heartbeat ${path}: ${(e as Error).message}`,
    };
  }
  if (!Value.Check(HeartbeatSchema, data)) return { ok: false, line: `unhealthy: ${path} is not a heartbeat of this daemon` };
  const ago = Math.round((now - data.at) / 1000);
  if (now > data.staleAt) {
    return { ok: false, line: `unhealthy: the last heartbeat is ${ago} s old (pid ${data.pid}); the daemon's loop is stuck or stopped` };
  }
  // Only on the writer's host: another container's pid says nothing here.
  if ((data.host === undefined || data.host === hostname()) && !alive(data.pid)) {
    return { ok: false, line: `unhealthy: the daemon that wrote ${path} (pid ${data.pid}) is no longer running` };
  }
  const detail = data.state === "degraded" ? `, Immich not answering (${data.lastError ?? "unknown"}, ${data.failures} failed polls)` : "";
  return { ok: true, line: `healthy: last heartbeat ${ago} s ago, state ${data.state}${detail}` };
}

/** The drain rates a running daemon measured, if its heartbeat is fresh; undefined otherwise. */
export function heartbeatRates(path: string, now: number): { pid: number; rates: Record<string, number> } | undefined {
  try {
    const data: unknown = JSON.parse(readFileSync(path, "utf8"));
    if (!Value.Check(HeartbeatSchema, data) || now > data.staleAt) return undefined;
    return { pid: data.pid, rates: data.rates ?? {} };
  } catch {
    return undefined;
  }
}
