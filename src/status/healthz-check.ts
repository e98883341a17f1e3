// `healthcheck` when STATUS_ADDR is set: ask the running daemon's /healthz
// instead of reading the heartbeat file. One line either way; a server that
// does not answer within the timeout is unhealthy.

import { type ListenAddress, localUrl } from "../shared/listen-address.ts";

export const HEALTHCHECK_TIMEOUT_MS = 5_000;

export async function checkHealthz(addr: ListenAddress, fetchFn: typeof fetch, timeoutMs = HEALTHCHECK_TIMEOUT_MS): Promise<{ ok: boolean; line: string }> {
  const url = `${localUrl(addr)}/healthz`;
  try {
    const res = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    const body = (await res.text()).trim().split("\n")[0] ?? "";
    if (res.status === 200) return { ok: true, line: body.replace(/^ok: /, "healthy: ") || `healthy: ${url} answered 200` };
    return { ok: false, line: `unhealthy: ${url} answered ${res.status}${body ? `: ${body.replace(/^unhealthy: /, "")}` : ""}` };
  } catch (e) {
    const err = e as Error;
    const code = (e as { code?: string }).code;
    const why =
      err.name === "TimeoutError"
        ? `no answer within ${timeoutMs / 1000} s`
        : code === "ECONNREFUSED" || code === "ConnectionRefused"
          ? "connection refused"
          : err.message.split("\n")[0];
    return { ok: false, line: `unhealthy: cannot reach ${url} (${why}); is \`immich-job-daemon run\` running with the same STATUS_ADDR?` };
  }
}
