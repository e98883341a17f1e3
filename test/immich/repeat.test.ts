// An idle server answers every poll with the same bytes: the client then
// hands back the answer it already checked, and the observation the same
// queues (client.ts lastGood/lastRead, http.ts `known`). Only a good answer
// is remembered: a bad one is refused every time it comes.
import { afterEach, describe, expect, test } from "bun:test";
import { createImmichClient } from "../../src/immich/index.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { failure } from "./expect-failure.ts";
import { counts, fakeServer, json } from "./servers.ts";

const KEY = "secret-key-0123456789";
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

const queue = (name: string, isPaused: boolean, c = counts()) => ({ name, isPaused, statistics: c });

async function serverAnswering(next: () => Response) {
  const clock = new VirtualClock();
  const s = fakeServer({
    "GET /api/server/version": () => json({ major: 3, minor: 1, patch: 0, prerelease: null }),
    "GET /api/queues": () => next(),
    "PUT /api/queues/thumbnailGeneration": () => json(queue("thumbnailGeneration", false)),
  });
  stops.push(s.stop);
  const c = createImmichClient({ baseUrl: s.url, apiKey: KEY, fetch, clock, timeoutMs: 10_000 });
  return { c, clock };
}

describe("the same answer again", () => {
  test("is the same observation, stamped with the new time; a changed answer is read afresh", async () => {
    let body = [queue("thumbnailGeneration", false), queue("ocr", true)];
    const { c, clock } = await serverAnswering(() => json(body));
    await c.connect();
    const first = await c.observe();
    clock.advance(10_000);
    const again = await c.observe();
    expect(again.queues).toBe(first.queues);
    expect(again.at).toBe(first.at + 10_000);
    body = [queue("thumbnailGeneration", false, counts({ waiting: 3 })), queue("ocr", true)];
    const changed = await c.observe();
    expect(changed.queues).not.toBe(first.queues);
    expect(changed.queues[0]!.waiting).toBe(3);
  });

  test("a bad answer is refused every time it comes, and the good one after it is checked again", async () => {
    const good = [queue("thumbnailGeneration", false)];
    const bad = [queue("thumbnailGeneration", false, counts({ active: -1 }))];
    let body: unknown = good;
    const { c } = await serverAnswering(() => json(body));
    await c.connect();
    const first = await c.observe();
    body = bad;
    await failure(c.observe(), "invalid-answer");
    await failure(c.observe(), "invalid-answer");
    body = good;
    const after = await c.observe();
    expect(after.queues).toEqual(first.queues);
    expect(after.queues).not.toBe(first.queues);
  });

  test("the same bytes with an error status are an error, not a repeat", async () => {
    const good = [queue("thumbnailGeneration", false)];
    let status = 200;
    const { c } = await serverAnswering(() => new Response(JSON.stringify(good), { status, headers: { "content-type": "application/json" } }));
    await c.connect();
    await c.observe();
    status = 503;
    await failure(c.observe(), "server-error");
  });
});
