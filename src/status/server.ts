// Puts the status handler on a socket with Bun.serve, with limits so that no
// client can hold the daemon back: Bun parses requests natively off the JS
// thread's critical path, a connection left silent is dropped after
// IDLE_TIMEOUT_S (one that never finishes its request after Bun's own ~12 s),
// bodies are capped, and beyond MAX_PENDING requests in flight the server
// answers 503 at once. The loop
// never awaits anything here; the handler only reads a frozen snapshot.
//
// The port is bound exclusively (issue 16 item 8): outside development mode
// Bun.serve sets SO_REUSEPORT unless told not to (measured with Bun 1.4.5),
// so a second daemon given the same STATUS_ADDR listened too and the kernel
// spread connections over both. With `reusePort: false` the second bind
// fails with EADDRINUSE, like any port in use.

import type { ListenAddress } from "../shared/listen-address.ts";
/** A fetch handler that also learns the client's address (the controls log and rate-limit by it). */
export type ServedHandler = (req: Request, addr?: string) => Response | Promise<Response>;

export const IDLE_TIMEOUT_S = 10;
export const MAX_BODY_BYTES = 1024;
export const MAX_PENDING = 64;

export interface StatusServer {
  /** Where it listens, e.g. http://127.0.0.1:8080 (the real port when 0 was asked for). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export function startStatusServer(addr: ListenAddress, handler: ServedHandler, opts: { idleTimeoutS?: number } = {}): StatusServer {
  const server = Bun.serve({
    hostname: addr.hostname,
    port: addr.port,
    idleTimeout: opts.idleTimeoutS ?? IDLE_TIMEOUT_S,
    maxRequestBodySize: MAX_BODY_BYTES,
    development: false,
    reusePort: false,
    fetch(req, srv) {
      if (srv.pendingRequests > MAX_PENDING) {
        return new Response("busy; try again\n", { status: 503, headers: { "retry-after": "1", "content-type": "text/plain; charset=utf-8" } });
      }
      return handler(req, srv.requestIP(req)?.address);
    },
    error() {
      return new Response("internal error\n", { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } });
    },
  });
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return {
    url: `http://${host}:${server.port}`,
    port: server.port!,
    stop: () => server.stop(true),
  };
}
