// `healthcheck` through /healthz: 200 is healthy, anything else (an answer
// that is not 200, no listener, a server that never answers) is unhealthy,
// always in one line.
import { afterEach, expect, test } from "bun:test";
import { checkHealthz } from "../../src/status/healthz-check.ts";

const stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
});

const serve = (status: number, body: string) => {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(body, { status }) });
  stops.push(() => s.stop(true));
  return { hostname: "127.0.0.1", port: s.port! };
};

test("200 is healthy, with the server's own line", async () => {
  expect(await checkHealthz(serve(200, "ok: loop reported 3 s ago, state ok\n"), fetch)).toEqual({ ok: true, line: "healthy: loop reported 3 s ago, state ok" });
});

test("503 is unhealthy, with the server's reason", async () => {
  const addr = serve(503, "unhealthy: the loop last reported 95 s ago; it is stuck or stopped\n");
  expect(await checkHealthz(addr, fetch)).toEqual({
    ok: false,
    line: `unhealthy: http://127.0.0.1:${addr.port}/healthz answered 503: the loop last reported 95 s ago; it is stuck or stopped`,
  });
});

test("a server that accepts the connection and never answers is unhealthy after the timeout", async () => {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  stops.push(() => l.stop(true));
  const t0 = performance.now();
  const r = await checkHealthz({ hostname: "127.0.0.1", port: l.port }, fetch, 300);
  expect(r).toEqual({ ok: false, line: expect.stringMatching(/^unhealthy: cannot reach http:\/\/127\.0\.0\.1:\d+\/healthz \(no answer within 0\.3 s\)/) });
  expect(performance.now() - t0).toBeLessThan(3_000);
});
