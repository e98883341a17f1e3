// Is Immich's machine-learning service there? (DESIGN.md §2 rule 13.) An
// effect at the edge: GET <url>/ping with a short timeout, through the fetch
// it is handed; the service answers `pong` (text/plain; older versions
// answered JSON {"res":"pong"}, also accepted). With several URLs (Immich
// takes a list and uses whichever answers) one answering is enough. Never
// throws: anything but pong is "not there", and so is an answer longer than
// ML_PING_MAX_BYTES (read no further: a pong is 4 bytes) or slower than the
// timeout, which covers the body too (issue 16 item 5).

import { readLimited } from "../shared/bounded-read.ts";

export const ML_PING_TIMEOUT_MS = 2_000;
/** `pong`, or `{"res":"pong"}` with some blanks: anything longer is not the ML service's answer. */
export const ML_PING_MAX_BYTES = 1024;

export type MlProbe = (signal?: AbortSignal) => Promise<boolean>;

export function createMlProbe(urls: readonly string[], fetchFn: typeof fetch, timeoutMs = ML_PING_TIMEOUT_MS): MlProbe {
  const one = async (url: string, signal?: AbortSignal): Promise<boolean> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const res = await fetchFn(`${url}/ping`, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, redirect: "manual" });
      if (!res.ok) return false;
      const text = (await readLimited(res, ML_PING_MAX_BYTES)).trim();
      return text === "pong" || text === '"pong"' || /^\{\s*"res"\s*:\s*"pong"\s*\}$/.test(text);
    } catch {
      return false;
    }
  };
  return async (signal) => {
    // Any one answering is enough: resolve on the first pong, false when all have failed.
    const results = urls.map((u) => one(u, signal));
    return new Promise<boolean>((resolve) => {
      let left = results.length;
      for (const r of results) {
        void r.then((up) => {
          if (up) resolve(true);
          else if (--left === 0) resolve(false);
        });
      }
    });
  };
}
