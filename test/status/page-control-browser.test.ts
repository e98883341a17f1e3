// The owner's controls on the status page in a real headless Chromium
// (issue 18 items 5, 6): log in from a phone-width page, hold everything for
// 1 h, see the countdown and every managed queue paused on the simulator,
// release, see them run again; the page in English and Russian (from
// Accept-Language, and the remembered switch); the controls hidden while
// control is off; and a hostile Immich's queue names shown as text, never
// as markup.
//
// Screenshots of the controls go to a temporary directory, or to docs/
// (control-en.png, control-ru.png) when SCREENSHOTS=docs:
//   SCREENSHOTS=docs npx bun test test/status/page-control-browser.test.ts
import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { type StatusHarness, startStatusHarness } from "./status-harness.ts";

setDefaultTimeout(60_000);

const CHROMIUM = "/usr/bin/chromium";
const ROOT = join(import.meta.dir, "../..");
const SHOTS = process.env.SCREENSHOTS === "docs" ? join(ROOT, "docs") : mkdtempSync(join(tmpdir(), "ijd-control-"));
const TOKEN = "page-control-token-0123456789";
const PHONE = { width: 390, height: 844 };

let browser: Browser;
let h: StatusHarness | undefined;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"] });
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function open(url: string, locale: "en-US" | "ru-RU", viewport = PHONE) {
  const context = await browser.newContext({ viewport, colorScheme: "light", timezoneId: "UTC", locale });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    // A refused login is the browser's own 401 line: expected where a test logs in wrong.
    if (m.type() === "error" && !/status of 401/.test(m.text())) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  return { page, context, errors };
}

async function importing(env: Record<string, string> = { CONTROL_TOKEN: TOKEN }) {
  const hh = await startStatusHarness({ STATUS_ADDR: "0", TZ: "UTC", ...env });
  hh.sim.engine.upload({ photos: 800, videos: 12 });
  for (let i = 0; i < 6; i++) await hh.advance(60_000);
  return hh;
}
const managedOnSim = (hh: StatusHarness) => DEFAULT_PRIORITY.map((q) => hh.sim.engine.get(q)).filter((q) => q !== undefined);

/** Waits for the page's next drawing (body[data-draws] counts them). */
async function redrawn(page: import("playwright-core").Page) {
  const n = await page.locator("body").getAttribute("data-draws");
  await page.waitForSelector(`body:not([data-draws="${n}"])`);
}

/** Waits (event-loop turns, bounded) until the daemon finished a cycle after `before`, then moves virtual time a little. */
async function cycled(hh: StatusHarness, before: number) {
  const deadline = performance.now() + 10_000;
  while (hh.wiring.recorder.current.counters.cycles === before && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await hh.advance(1_000);
}

describe("the owner's controls in Chromium", () => {
  test("phone width: log in, hold everything for 1 h (countdown, every managed queue paused), release (they run again)", async () => {
    h = await importing();
    const { page, context, errors } = await open(`${h.wiring.server!.url}/?refresh=1`, "en-US");
    await page.waitForSelector("#login-box:not([hidden])");
    expect(await page.locator("#actions").isHidden()).toBe(true);
    // A wrong token first: refused, said in words.
    await page.fill("#login-token", "wrong-token-0123456789");
    await page.click("#login");
    await page.waitForSelector("#control-msg.err");
    expect(await page.locator("#control-msg").textContent()).toBe("Wrong token, or the session ended: log in again.");
    await page.fill("#login-token", TOKEN);
    await page.click("#login");
    await page.waitForSelector("#actions:not([hidden])");
    // The token is nowhere in the page once logged in.
    expect(await page.content()).not.toContain(TOKEN);

    const before = h.wiring.recorder.current.counters.cycles;
    await page.click("#hold-all");
    await page.waitForSelector("#control-msg:not(.err):has-text('Every managed queue will be paused')");
    await cycled(h, before);
    expect(managedOnSim(h).filter((q) => !q.isPaused).map((q) => q.name)).toEqual([]);
    expect(h.sim.engine.get("backgroundTask")!.isPaused).toBe(false);
    await page.waitForSelector("#hold-banner:visible");
    expect(await page.locator("#hold-text").textContent()).toMatch(/^Everything is held until \w{3} \d\d:\d\d$/);
    expect(await page.locator("#countdown").textContent()).toMatch(/^\((0:59:\d\d|1:00:00) left\)$/);
    // Every queue with work says why it waits: the owner's hold.
    // Once the page has the cycle that applied the hold (it redraws every second).
    await page.waitForSelector("#waits li[data-queue]:has-text('every managed queue is held until')");
    await redrawn(page);
    for (const text of await page.locator("#waits li[data-queue]").allTextContents()) expect(text).toContain("every managed queue is held until");
    // Per-queue buttons where the page is logged in.
    expect(await page.locator('button[data-action="hold"][data-queue="smartSearch"]').count()).toBe(1);
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: join(SHOTS, "control-en.png") });

    const again = h.wiring.recorder.current.counters.cycles;
    await page.click("#release-all");
    await page.waitForSelector("#control-msg:has-text('Back to the configured schedule')");
    await cycled(h, again);
    const runs = () => managedOnSim(h!).some((q) => !q.isPaused && q.counts.active + q.counts.waiting > 0);
    for (let i = 0; i < 10 && !runs(); i++) await h.advance(1_000);
    expect(runs()).toBe(true);
    await page.waitForSelector("#hold-banner", { state: "hidden" });
    await page.waitForSelector("tr[data-state=running]");

    // Resume everything and stop managing: asked to confirm first (a dismissed question sends nothing).
    page.once("dialog", (d) => void d.dismiss());
    await page.click("#resume-all");
    expect(h.control.current.handsOff).toBeUndefined();
    const third = h.wiring.recorder.current.counters.cycles;
    page.once("dialog", (d) => void d.accept());
    await page.click("#resume-all");
    await page.waitForSelector("#control-msg:has-text('Everything the daemon paused or holds is resumed now')");
    await cycled(h, third);
    expect(managedOnSim(h).filter((q) => q.isPaused).map((q) => q.name)).toEqual([]);
    await page.waitForSelector("#control-state:has-text('The daemon stepped aside')");
    expect(errors).toEqual([]);
    await context.close();
  });

  test("in Russian from Accept-Language, and the switch is remembered; labels, reasons, durations and the countdown translated", async () => {
    h = await importing();
    const { page, context, errors } = await open(`${h.wiring.server!.url}/?refresh=1`, "ru-RU", { width: 1100, height: 900 });
    await page.waitForSelector("tr[data-queue]");
    expect(await page.evaluate<string>("document.documentElement.lang")).toBe("ru");
    expect(await page.locator('[data-t="control"]').textContent()).toBe("Управление");
    expect(await page.locator('[data-t="managedQueues"]').textContent()).toBe("Управляемые очереди");
    expect(await page.locator("#slots").textContent()).toMatch(/^\d+ из 2$/);
    await page.fill("#login-token", TOKEN);
    await page.click("#login");
    await page.waitForSelector("#actions:not([hidden])");
    expect(await page.locator("#hold-all").textContent()).toBe("Остановить всё на 1 ч");
    const before = h.wiring.recorder.current.counters.cycles;
    await page.click("#hold-all");
    await page.waitForSelector("#control-msg:has-text('Все управляемые очереди будут аккуратно приостановлены')");
    await cycled(h, before);
    await page.waitForSelector("#hold-banner:visible");
    expect(await page.locator("#hold-text").textContent()).toMatch(/^Всё остановлено до [а-я]{2} \d\d:\d\d$/);
    expect(await page.locator("#countdown").textContent()).toMatch(/^\(осталось (0:59:\d\d|1:00:00)\)$/);
    await page.waitForSelector("#waits li[data-queue]:has-text('все управляемые очереди остановлены владельцем')");
    await redrawn(page);
    for (const text of await page.locator("#waits li[data-queue]").allTextContents()) expect(text).toMatch(/в очереди\): все управляемые очереди остановлены владельцем до/);
    // Numbers in the reader's locale: a thousands separator is a (narrow) space in Russian.
    const pending = await page.locator("#pending").textContent();
    expect(pending).toMatch(/^\d{1,3}([\u00a0\u202f ]\d{3})*$/);
    await page.screenshot({ path: join(SHOTS, "control-ru.png") });

    // The switch: English now, and still English after a reload despite Accept-Language.
    await page.click("#lang-en");
    expect(await page.locator('[data-t="control"]').textContent()).toBe("Control");
    await page.reload();
    await page.waitForSelector("tr[data-queue]");
    expect(await page.locator('[data-t="managedQueues"]').textContent()).toBe("Managed queues");
    expect(errors).toEqual([]);
    await context.close();
  });

  test("control off: no controls shown, the page stays read-only", async () => {
    h = await importing({});
    const { page, context, errors } = await open(`${h.wiring.server!.url}/`, "en-US");
    await page.waitForSelector("tr[data-queue]");
    expect(await page.locator("#control").isHidden()).toBe(true);
    expect(await page.locator("button[data-action]").count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  test("a hostile Immich cannot inject markup through queue names or reasons", async () => {
    h = await importing();
    const { page, context, errors } = await open(`${h.wiring.server!.url}/?refresh=1`, "ru-RU");
    await page.waitForSelector("tr[data-queue]");
    const evil = `<img src=x onerror="window.__pwned=1">`;
    const real = h.wiring.recorder.current;
    const forged = {
      ...real,
      now: real.at,
      queues: real.queues.map((q, i) => (i === 0 ? { ...q, name: evil, state: "waiting", pending: 3, waitsBecause: evil, why: { code: "turn", params: { used: 1, n: 1, holders: [evil] } }, lastAction: { at: real.at, queue: evil, kind: "pause", reason: evil, detail: evil, ok: true } } : q)),
      timeline: { ...real.timeline, queues: [{ name: evil, spans: [{ start: real.at - 60_000, end: real.at }] }], marks: [{ at: real.at, queue: evil, kind: "pause", reason: evil }] },
      control: { enabled: true, zone: "UTC", configuredN: 2, state: { queues: { [evil]: { at: real.at, by: evil, channel: "page", until: real.at + 3_600_000 } } } },
      server: { version: evil, api: "queues" },
    };
    await page.route("**/api/status", (route) => route.fulfill({ contentType: "application/json", body: JSON.stringify(forged) }));
    await page.locator("tr[data-queue]").filter({ hasText: "onerror" }).first().waitFor();
    await page.click("#lang-en");
    await redrawn(page);
    expect(await page.evaluate<unknown>("window.__pwned")).toBeUndefined();
    expect(await page.locator("main img").count()).toBe(0);
    expect(await page.locator("tr[data-queue] td.qname").first().textContent()).toBe(evil);
    expect(await page.locator("#waits li").first().textContent()).toContain(evil);
    expect(errors).toEqual([]);
    await context.close();
  });
});
