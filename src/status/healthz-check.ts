// `healthcheck` when STATUS_ADDR is set: ask the running daemon's /healthz
// instead of reading the heartbeat file. One line either way; a server that
// does not answer within the timeout is unhealthy. Healthy is only what the
// daemon's own /healthz says (status/http.ts: 200 and a body starting
// `ok: `): another server on that port answering 200 is not. The answer is
// read up to HEALTHZ_MAX_BYTES within the timeout, and quoted escaped and
// cut short (issue 16 items 5 and 6).

import { readLimited, TooLarge } from "../shared/bounded-read.ts";
import { excerpt } from "../shared/escape.ts";
import { type ListenAddress, localUrl } from "../shared/listen-address.ts";

export const HEALTHCHECK_TIMEOUT_MS = 5_000;
/** The daemon's /healthz is one line of a few hundred bytes at most (its last error included). */
export const HEALTHZ_MAX_BYTES = 16 * 1024;
/** Characters of the answer `healthcheck` quotes. */
const QUOTED = 300;

export async function checkHealthz(addr: ListenAddress, fetchFn: typeof fetch, timeoutMs = HEALTHCHECK_TIMEOUT_MS): Promise<{ ok: boolean; line: string }> {
  const url = `${localUrl(addr)}/healthz`;
  try {
    const res = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    const first = (await readLimited(res, HEALTHZ_MAX_BYTES)).trim().split("\n")[0] ?? "";
    const body = excerpt(first, QUOTED);
    if (res.status === 200 && first.startsWith("ok: ")) return { ok: true, line: body.replace(/^ok: /, "healthy: ") };
    if (res.status === 200) return { ok: false, line: `unhealthy: ${url} answered 200 but not the daemon's /healthz${first ? ` ("${excerpt(first)}")` : ""}; is another server on STATUS_ADDR?` };
    return { ok: false, line: `unhealthy: ${url} answered ${res.status}${body ? `: ${body.replace(/^unhealthy: /, "")}` : ""}` };
  } catch (e) {
    if (e instanceof TooLarge) {
      return { ok: false, line: `unhealthy: ${url} answered more than ${HEALTHZ_MAX_BYTES / 1024} KB, which the daemon's /healthz never does; not read further` };
    }
    const err = e as Error;
    const code = (e as { code?: string }).code;
    const why =
      err.name === "TimeoutError"
        ? `no answer within ${timeoutMs / 1000} s`
        : code === "ECONNREFUSED" || code === "ConnectionRefused"
          ? "connection refused"
          : excerpt(err.message.split("\n")[0] ?? "", QUOTED);
    return { ok: false, line: `unhealthy: cannot reach ${url} (${why}); is \`immich-job-daemon run\` running with the same STATUS_ADDR?` };
  }
}
