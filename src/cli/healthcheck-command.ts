// `healthcheck`: the container's liveness probe, asking a running daemon (its
// /healthz, or its heartbeat file) rather than Immich.

import { healthFilePath } from "../config/defaults.ts";
import { checkHeartbeat } from "../daemon/heartbeat.ts";
import { parseListenAddress } from "../shared/listen-address.ts";
import { checkHealthz } from "../status/healthz-check.ts";
import type { CommandIO } from "./command-io.ts";
import { EXIT } from "./exit-codes.ts";

/**
 * `healthcheck`: exit 0 if a running daemon's loop is alive (its /healthz
 * when STATUS_ADDR is set, else its heartbeat file is fresh), 1 if not.
 * Needs no API key and sends nothing to Immich.
 */
export async function healthcheckCommand(io: Pick<CommandIO, "env" | "stdout" | "stderr" | "clock"> & { fetch: typeof fetch }): Promise<number> {
  const r = io.env.STATUS_ADDR?.trim() ? await healthzCheck(io.env.STATUS_ADDR, io.fetch) : checkHeartbeat(healthFilePath(io.env), io.clock.now());
  (r.ok ? io.stdout : io.stderr).write(r.line + "\n");
  return r.ok ? EXIT.ok : EXIT.internal;
}

/** STATUS_ADDR as `run` reads it; a bad one is unhealthy (exit 1: Docker reserves 2), said in one line. */
async function healthzCheck(raw: string, fetchFn: typeof fetch): Promise<{ ok: boolean; line: string }> {
  const addr = parseListenAddress(raw);
  if ("problem" in addr) return { ok: false, line: `unhealthy: STATUS_ADDR=${JSON.stringify(raw.trim())} ${addr.problem}` };
  return checkHealthz(addr, fetchFn);
}
