// Local notification receivers for the tests: one that records what it is
// sent (as ntfy's publish API or a JSON webhook would receive it), one that
// accepts connections and never answers, one that answers 500.

export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** What it answers from now on. */
  status: number;
  stop(): void;
}

export function startReceiver(status = 200): Receiver {
  const received: Received[] = [];
  const r: Receiver = { url: "", received, status, stop: () => server.stop(true) };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      received.push({ path: new URL(req.url).pathname, headers: Object.fromEntries(req.headers), body: await req.text() });
      return new Response(r.status === 200 ? '{"id":"x"}' : "no", { status: r.status });
    },
  });
  r.url = `http://127.0.0.1:${server.port}`;
  return r;
}

/** Accepts connections, reads requests, never answers. */
export function startHangingReceiver(): { url: string; connections: () => number; stop(): void } {
  let n = 0;
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open() { n++; }, data() {} } });
  return { url: `http://127.0.0.1:${l.port}`, connections: () => n, stop: () => l.stop(true) };
}

/** Polls `done` until it holds (a condition, not a fixed sleep); throws after `ms`. */
export async function until(done: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = performance.now() + ms;
  while (!done()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}
