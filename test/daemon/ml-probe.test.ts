// The ML probe against real local servers: pong is up; anything else, a
// refused connection or an answer past the timeout is down; several URLs
// are up if any one answers.
import { afterAll, expect, test } from "bun:test";
import { createMlProbe } from "../../src/daemon/ml-probe.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
const serve = (fetch: (req: Request) => Response | Promise<Response>) => {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch });
  servers.push(s);
  return `http://127.0.0.1:${s.port}`;
};
afterAll(() => {
  for (const s of servers) s.stop(true);
});

const pong = serve((req) => (new URL(req.url).pathname === "/ping" ? new Response("pong") : new Response("no", { status: 404 })));
const oldPong = serve(() => Response.json({ res: "pong" }));
const immichServer = serve(() => new Response("<html>Immich</html>", { headers: { "content-type": "text/html" } }));
const broken = serve(() => new Response("pong", { status: 500 }));
const slow = serve(() => new Promise<Response>((r) => setTimeout(() => r(new Response("pong")), 500)));
const refused = (() => {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const url = `http://127.0.0.1:${s.port}`;
  s.stop(true);
  return url;
})();

test.each([
  ["pong", [pong], true],
  ['{"res":"pong"} (older versions)', [oldPong], true],
  ["a web page", [immichServer], false],
  ["a 500", [broken], false],
  ["a refused connection", [refused], false],
  ["an answer past the timeout", [slow], false],
  ["several, one answering", [refused, slow, pong], true],
  ["several, none answering", [refused, broken], false],
] as [string, string[], boolean][])("%s", async (_what, urls, up) => {
  expect(await createMlProbe(urls, fetch, 200)()).toBe(up);
});

test("an aborted probe says down and does not hang", async () => {
  const c = new AbortController();
  const p = createMlProbe([slow], fetch, 5_000)(c.signal);
  c.abort();
  expect(await p).toBe(false);
});
