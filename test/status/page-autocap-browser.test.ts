// The status page's "The cap follows the host" card (rule 15) in a real
// headless Chromium: N and its range, the pressure against the target, the
// tuned queue's concurrency against its owner's, the last change and its
// reason; and the card stays hidden when rule 15 is off.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { createStatusHandler } from "../../src/status/http.ts";
import { EXAMPLE_SNAPSHOT } from "../../src/status/metrics-doc.ts";
import { STATUS_PAGE } from "../../src/status/page.ts";
import type { StatusSnapshot } from "../../src/status/snapshot.ts";

setDefaultTimeout(30_000);
const CHROMIUM = "/usr/bin/chromium";
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
});
afterAll(async () => {
  await browser?.close();
});

async function cardOf(snapshot: StatusSnapshot, locale = "en-US") {
  const handler = createStatusHandler({ snapshot: () => snapshot, now: () => snapshot.at, page: STATUS_PAGE });
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => handler(req) });
  const context = await browser.newContext({ timezoneId: "UTC", locale });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await page.waitForSelector("body[data-at]");
    const hidden = await page.locator("#autocap").isHidden();
    const text = hidden ? "" : await page.locator("#autocap").innerText();
    const slots = await page.locator("#slots").innerText();
    return { hidden, text, slots, errors };
  } finally {
    await context.close();
    server.stop(true);
  }
}

test("with auto and tuning: N, range, pressure against target, the tuned queue against its owner's value, the last change", async () => {
  const r = await cardOf(EXAMPLE_SNAPSHOT);
  expect(r.errors).toEqual([]);
  expect(r.hidden).toBe(false);
  expect(r.slots).toBe("1 of 1 (auto 1–4)");
  expect(r.text).toContain("N is 1, between 1 and 4 with the host's pressure");
  expect(r.text).toContain("pressure: cpu 36 % (target 40 %) from /proc/pressure");
  expect(r.text).toContain("job concurrency: thumbnailGeneration 1 (owner's 3)");
  expect(r.text).toContain("last change 1 min ago: thumbnailGeneration concurrency 2 → 1: cpu some 71 % above 40 % for 10 s");
});

test("in Russian: every line of the card, the last change said from its parts", async () => {
  const r = await cardOf(EXAMPLE_SNAPSHOT, "ru-RU");
  expect(r.errors).toEqual([]);
  expect(r.text).toContain("Предел следует за нагрузкой хоста");
  expect(r.text).toContain("N = 1, от 1 до 4 по нагрузке хоста");
  expect(r.text).toContain("нагрузка: cpu 36 % (цель 40 %), источник /proc/pressure");
  expect(r.text).toContain("параллельность задач: thumbnailGeneration 1 (у владельца 3)");
  expect(r.text).toContain("thumbnailGeneration: параллельность 2 → 1");
  expect(r.text).not.toMatch(/cpu some|owner's|pressure:/);
});

test("a lost source says so; rule 15 off hides the card", async () => {
  const lost = await cardOf({ ...EXAMPLE_SNAPSHOT, autoCap: { ...EXAMPLE_SNAPSHOT.autoCap!, sourceLost: true, source: "http://nas:9100/metrics" } });
  expect(lost.text).toContain("pressure source http://nas:9100/metrics lost: N at its lower bound, no concurrency raised until it is back");
  const { autoCap: _, ...off } = EXAMPLE_SNAPSHOT;
  const r = await cardOf(off);
  expect(r.hidden).toBe(true);
  expect(r.slots).toBe("1 of 1");
  expect(r.errors).toEqual([]);
});
