// The status server binds its port exclusively (issue 16 item 8): Bun.serve
// outside development mode sets SO_REUSEPORT unless told not to, and then a
// second server on the same address listened beside the first.
import { expect, test } from "bun:test";
import { startStatusServer } from "../../src/status/server.ts";

test("a second server on the same address fails with EADDRINUSE; the first keeps every connection", async () => {
  const first = startStatusServer({ hostname: "127.0.0.1", port: 0 }, () => new Response("first"));
  try {
    let code: string | undefined;
    try {
      const second = startStatusServer({ hostname: "127.0.0.1", port: first.port }, () => new Response("second"));
      await second.stop();
    } catch (e) {
      code = (e as NodeJS.ErrnoException).code;
    }
    expect(code).toBe("EADDRINUSE");
    const answers = new Set<string>();
    for (let i = 0; i < 10; i++) answers.add(await (await fetch(first.url)).text());
    expect([...answers]).toEqual(["first"]);
  } finally {
    await first.stop();
  }
});
