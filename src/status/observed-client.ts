// Wraps the daemon's Immich client to tell the status recorder about every
// failed request (by error kind) and the server's version once connected,
// without the loop or the client knowing the status server exists.

import { isClassified, type ImmichApi } from "../daemon/immich-api.ts";
import type { StatusRecorder } from "./recorder.ts";

export function observedClient(client: ImmichApi, recorder: Pick<StatusRecorder, "apiError" | "connected">): ImmichApi {
  const counted = async <T>(signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (e) {
      // A stop mid-request is not an API error.
      if (!signal?.aborted) recorder.apiError(isClassified(e) ? e.kind : "internal");
      throw e;
    }
  };
  return {
    connect: async (signal, opts) => {
      const info = await counted(signal, () => client.connect(signal, opts));
      recorder.connected(info);
      return info;
    },
    observe: (signal) => counted(signal, () => client.observe(signal)),
    setPaused: (queue, paused, signal) => counted(signal, () => client.setPaused(queue, paused, signal)),
    ...(client.getSystemConfig && client.putSystemConfig
      ? {
          getSystemConfig: (signal?: AbortSignal) => counted(signal, () => client.getSystemConfig!(signal)),
          putSystemConfig: (config: Parameters<NonNullable<ImmichApi["putSystemConfig"]>>[0], signal?: AbortSignal) => counted(signal, () => client.putSystemConfig!(config, signal)),
        }
      : {}),
    ...(client.startMissing ? { startMissing: (queue: string, signal?: AbortSignal) => counted(signal, () => client.startMissing!(queue, signal)) } : {}),
  };
}
