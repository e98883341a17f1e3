// `healthcheck`: the container's liveness probe, asking a running daemon (its
// /healthz, or its heartbeat file) rather than Immich.

import { withConfigFile } from "../config/config-file.ts";
import { healthFilePath } from "../config/defaults.ts";
import { checkHeartbeat } from "../daemon/heartbeat.ts";
import { parseListenAddress } from "../shared/listen-address.ts";
import { checkHealthz } from "../status/healthz-check.ts";
import type { CommandIO } from "./command-io.ts";
import { EXIT } from "./exit-codes.ts";

/**
 * `healthcheck`: exit 0 if a running daemon's loop is alive (its /healthz
 * when STATUS_ADDR is set, else its heartbeat file is fresh), 1 if not.
 * Needs no API key and sends nothing to Immich. STATUS_ADDR and HEALTH_FILE
 * may come from CONFIG_FILE, as for `run` (a broken file: `run` says what is
 * wrong; here only the environment counts).
 */
export async function healthcheckCommand(
  io: Pick<CommandIO, "env" | "stdout" | "stderr" | "clock"> & Partial<Pick<CommandIO, "readFile">> & { fetch: typeof fetch },
): Promise<number> {
  const env = io.readFile ? withConfigFile(io.env, io.readFile).env : io.env;
  const r = env.STATUS_ADDR?.trim() ? await healthzCheck(env.STATUS_ADDR, io.fetch) : checkHeartbeat(healthFilePath(env), io.clock.now());
  (r.ok ? io.stdout : io.stderr).write(r.line + "\n");
  return r.ok ? EXIT.ok : EXIT.internal;
}

/** STATUS_ADDR as `run` reads it; a bad one is unhealthy (exit 1: Docker reserves 2), said in one line. */
async function healthzCheck(raw: string, fetchFn: typeof fetch): Promise<{ ok: boolean; line: string }> {
  const addr = parseListenAddress(raw);
  if ("problem" in addr) return { ok: false, line: `unhealthy: STATUS_ADDR=${JSON.stringify(raw.trim())} ${addr.problem}` };
  return checkHealthz(addr, fetchFn);
}
