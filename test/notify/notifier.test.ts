// The notifier against local receivers over real HTTP, batching in virtual
// time: ntfy's publish API (body, Title, Tags, Priority, Bearer token) and
// the JSON webhook; events close together are one message; a receiver that
// hangs or fails costs `add` nothing, is logged once, and the others still
// get their messages.
import { afterEach, describe, expect, test } from "bun:test";
import { memoryLog } from "../../src/daemon/log.ts";
import type { NotifyEvent } from "../../src/notify/events.ts";
import { Notifier } from "../../src/notify/notifier.ts";
import { parseNotifyTargets, type NotifyTarget } from "../../src/shared/notify-targets.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { startHangingReceiver, startReceiver, until } from "./receivers.ts";

const stops: (() => void)[] = [];
const notifiers: Notifier[] = [];
afterEach(async () => {
  for (const n of notifiers.splice(0)) await n.close(0);
  for (const s of stops.splice(0)) s();
});

const T0 = Date.UTC(2026, 10, 28, 12);
const held = (queue: string, at = T0): NotifyEvent => ({ kind: "held", at, severity: "warning", title: `${queue} held`, text: `${queue} was paused by someone else.`, queues: [queue] });
const down: NotifyEvent = { kind: "immich-down", at: T0, severity: "error", title: "Immich is not answering", text: "Immich has not answered for 5 min." };

function setup(urls: string, opts: { token?: string; timeoutMs?: number } = {}) {
  const clock = new VirtualClock(T0);
  const log = memoryLog();
  const targets = parseNotifyTargets(urls) as NotifyTarget[];
  // Counts the POSTs that ended (answered, failed or timed out).
  let settled = 0;
  const counting = ((input: string | URL | Request, init?: RequestInit) => fetch(input, init).finally(() => settled++)) as typeof fetch;
  const n = new Notifier({ targets, fetch: counting, clock, log, source: { version: "9.9.9", immichUrl: "http://nas:2283" }, timeoutMs: opts.timeoutMs ?? 5_000, ...(opts.token ? { token: opts.token } : {}) });
  notifiers.push(n);
  return { clock, log, n, settled: () => settled };
}

describe("the notifier", () => {
  test("ntfy: one POST to the topic with the text as body, title, tags and priority in headers, the token as Bearer", async () => {
    const r = startReceiver();
    stops.push(r.stop);
    const { clock, n } = setup(`${r.url}/immich-jobs`, { token: "tk_abcdefghijkl" });
    n.add([down]);
    await clock.advance(2_000);
    expect(r.received).toEqual([]); // still batching
    await clock.advance(2_000);
    await until(() => r.received.length === 1, "the message");
    const m = r.received[0]!;
    expect(m.path).toBe("/immich-jobs");
    expect(m.body).toBe("Immich has not answered for 5 min.");
    expect(m.headers).toMatchObject({
      title: "immich-job-daemon: Immich is not answering",
      tags: "rotating_light,immich-down",
      priority: "high",
      authorization: "Bearer tk_abcdefghijkl",
      "content-type": "text/plain; charset=utf-8",
    });
  });

  test("events within a few seconds are one message; later ones a second", async () => {
    const r = startReceiver();
    stops.push(r.stop);
    const { clock, n } = setup(`json+${r.url}/hook`);
    n.add([held("smartSearch")]);
    await clock.advance(1_000);
    n.add([held("ocr"), held("faceDetection")]);
    await clock.advance(5_000);
    await until(() => r.received.length === 1, "the first message");
    const first = JSON.parse(r.received[0]!.body);
    expect(first).toMatchObject({ source: "immich-job-daemon", version: "9.9.9", immich: "http://nas:2283", severity: "warning" });
    expect(first.events.map((e: { queues: string[] }) => e.queues[0])).toEqual(["smartSearch", "ocr", "faceDetection"]);
    expect(first.message.split("\n")).toHaveLength(3);
    expect(first.events[0].at).toBe("2026-11-28T12:00:00.000Z");
    expect(r.received[0]!.headers["content-type"]).toBe("application/json");

    await clock.advance(60_000);
    n.add([held("library")]);
    await clock.advance(5_000);
    await until(() => r.received.length === 2, "the second message");
    expect(JSON.parse(r.received[1]!.body).title).toBe("library held");
  });

  test("a hanging and a failing target: add never waits, each failure is logged once, the good target gets every message", async () => {
    const good = startReceiver();
    const bad = startReceiver(500);
    const hang = startHangingReceiver();
    stops.push(good.stop, bad.stop, hang.stop);
    const { clock, log, n, settled } = setup(`${good.url}/t ${bad.url}/t ${hang.url}/t`, { timeoutMs: 300 });
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      n.add([held(`q${i}`)]);
      expect(performance.now() - t0).toBeLessThan(5);
      await clock.advance(5_000);
      await until(() => good.received.length === i + 1, `message ${i + 1}`);
    }
    // Every POST has ended, the hanging ones by their timeout: still one line per target.
    await until(() => settled() === 9, "every POST to end", 3_000);
    const warns = log.lines.filter((l) => l.level === "warn").map((l) => l.msg);
    expect(warns.sort()).toEqual([
      `could not notify ntfy at 127.0.0.1:${new URL(bad.url).port}: answered HTTP 500; further failures there are not logged until one gets through`,
      `could not notify ntfy at 127.0.0.1:${new URL(hang.url).port}: no answer within 0.3 s; further failures there are not logged until one gets through`,
    ].sort());
    expect(bad.received).toHaveLength(3);
  });

  test("a target that recovers is said once; close sends what is pending at once, within its budget", async () => {
    const r = startReceiver(503);
    stops.push(r.stop);
    const { clock, log, n, settled } = setup(`${r.url}/t`);
    for (let i = 1; i <= 4; i++) {
      if (i === 3) r.status = 200;
      n.add([held(`q${i}`)]);
      await clock.advance(5_000);
      await until(() => settled() === i, `POST ${i}`);
    }
    expect(log.lines.map((l) => `${l.level} ${l.msg}`)).toEqual([
      `warn could not notify ntfy at 127.0.0.1:${new URL(r.url).port}: answered HTTP 503; further failures there are not logged until one gets through`,
      `info notifications to ntfy at 127.0.0.1:${new URL(r.url).port} get through again`,
    ]);
    n.add([down]);
    const t0 = performance.now();
    await n.close(2_000);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(r.received).toHaveLength(5);
    expect(r.received[4]!.body).toBe(down.text);
    // After close, nothing more is queued.
    n.add([down]);
    expect(r.received).toHaveLength(5);
  });
});
