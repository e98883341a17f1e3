// Waiting for Immich at start-up: connect, and while Immich is not there yet
// retry with capped, jittered backoff, one log line per change of failure.
// What retrying cannot fix (wrong key, missing scope, a URL that is not an
// Immich API) ends the wait with a FatalError instead.

import { formatVersion, type ServerInfo } from "../immich/index.ts";
import type { Clock } from "../shared/clock.ts";
import { retryCapMs, retryDelay } from "./backoff.ts";
import type { Health } from "./health.ts";
import { classify, FatalError, type ImmichApi } from "./immich-api.ts";
import type { Log } from "./log.ts";

/** Error kinds that, at start-up, say the URL is not an Immich API. */
const NOT_IMMICH = new Set(["not-json", "invalid-answer", "redirected"]);

export interface ConnectOptions {
  client: Pick<ImmichApi, "connect">;
  clock: Clock;
  log: Log;
  pollIntervalMs: number;
  random: () => number;
  dryRun: boolean;
  health: Health;
  heartbeat?: ((health: Health, nextPollInMs: number) => void) | undefined;
  /** Told the moment the connection succeeds. */
  onConnected: () => void;
}

/** Connects once Immich answers; undefined if `signal` aborts first. */
export async function waitForImmich(o: ConnectOptions, signal: AbortSignal): Promise<ServerInfo | undefined> {
  let attempt = 0;
  let lastKind = "";
  while (!signal.aborted) {
    try {
      // A dry run promises to send no PUT, not even the no-op permission check.
      const info = await o.client.connect(signal, { checkWrite: !o.dryRun });
      const version = formatVersion(info.version);
      o.onConnected();
      if (attempt > 0) o.log.info(`Immich is up after ${attempt} failed ${attempt === 1 ? "try" : "tries"}`);
      o.log.info(`connected to Immich v${version}, using /api/${info.api}`, { version, api: info.api });
      for (const w of info.warnings) o.log.warn(w);
      return info;
    } catch (e) {
      if (signal.aborted) return undefined;
      const err = classify(e);
      // Before the first connection, an answer that is not Immich's API
      // means IMMICH_URL points elsewhere: retrying cannot fix that. Once
      // connected, the same answer is a passing fault (rule 10).
      if (!err.transient || NOT_IMMICH.has(err.kind)) throw new FatalError(err);
      const delay = retryDelay(++attempt, o.pollIntervalMs, o.random);
      if (err.kind !== lastKind) {
        o.log.warn(`waiting for Immich: ${err.message} (retrying with backoff, up to ${retryCapMs(o.pollIntervalMs) / 1000} s apart)`, { kind: err.kind });
        lastKind = err.kind;
      }
      o.heartbeat?.(o.health, delay);
      await o.clock.sleep(delay, signal);
    }
  }
  return undefined;
}
