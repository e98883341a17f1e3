// The status page in a real headless Chromium (Debian's chromium, driven by
// playwright-core), served by the status server of a daemon working on the
// simulator in virtual time: it loads with no console error, shows the
// managed queues and the timeline, follows a change on its own (a person
// pauses a queue; the page shows it held), works under a reverse proxy's
// sub-path, and is captured at phone and desktop widths.
//
// Screenshots go to a temporary directory, or to docs/ (for the README)
// when SCREENSHOTS=docs: `SCREENSHOTS=docs npx bun test test/status/page-browser.test.ts`.
import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { type StatusHarness, startStatusHarness } from "./status-harness.ts";

// A real browser on a loaded 2-core machine.
setDefaultTimeout(30_000);

const CHROMIUM = "/usr/bin/chromium";
const ROOT = join(import.meta.dir, "../..");
const SHOTS = process.env.SCREENSHOTS === "docs" ? join(ROOT, "docs") : mkdtempSync(join(tmpdir(), "ijd-page-"));

let browser: Browser;
let h: StatusHarness | undefined;
const stops: (() => void)[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  for (const s of stops.splice(0)) s();
  await h?.stop();
  h = undefined;
});

/** A page that records every console error and uncaught exception. */
async function openPage(url: string, viewport: { width: number; height: number }, colorScheme: "light" | "dark" = "light") {
  const context = await browser.newContext({ viewport, colorScheme, timezoneId: "UTC", locale: "en-US" });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  // Nothing may be loaded from anywhere but the daemon.
  const foreign: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(new URL(url).origin) && !r.url().startsWith("data:")) foreign.push(r.url());
  });
  await page.goto(url);
  return { page, errors, foreign, close: () => context.close() };
}

const rowState = (page: Page, queue: string) => page.locator(`tr[data-queue="${queue}"]`).getAttribute("data-state");

/** A daemon two hours into an import (videos only at night, an ML service), so the page has queues, decisions, a window and a timeline to show. */
async function busyDaemon() {
  const hh = await startStatusHarness({ STATUS_ADDR: "0", MAX_CONCURRENT_JOBS: "2", WINDOWS: "videoConversion=22:00-06:00", TZ: "UTC" }, { ml: true });
  hh.sim.engine.upload({ photos: 400, videos: 12 });
  for (let i = 0; i < 12; i++) await hh.advance(10 * 60_000);
  hh.sim.engine.upload({ photos: 300, videos: 6 });
  await hh.advance(5 * 60_000);
  return hh;
}

describe("the status page in Chromium", () => {
  test("loads with no console error, shows the queues and the timeline, and follows a change", async () => {
    h = await busyDaemon();
    const url = `${h.wiring.server!.url}/?refresh=1`;
    const { page, errors, foreign, close } = await openPage(url, { width: 1280, height: 900 });
    await page.waitForSelector("tr[data-queue]");
    const managed = h.wiring.recorder.current.queues.map((q) => q.name);
    expect(await page.locator("tr[data-queue]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-queue")))).toEqual(managed);
    const snap = h.wiring.recorder.current;
    expect(await page.locator("#slots").textContent()).toBe(`${snap.slots.used} of 2`);
    expect(await page.locator("#health").textContent()).toBe("healthy");
    expect(await page.locator("#gates").textContent()).toBe("ML service up for 2 h 5 min");
    expect(await page.locator('tr[data-queue="videoConversion"] .window').textContent()).toBe("window 22:00-06:00: closed, opens Sat 22:00");
    expect(await page.locator('#waits li[data-queue="videoConversion"]').textContent()).toContain("outside its window 22:00-06:00 (UTC)");
    // The overall ETA from the measured drain rates.
    expect(await page.locator("#eta").textContent()).toMatch(/^~\d+ (s|min|h)/);
    // The timeline: one row per queue, bars where queues had active jobs, the daemon's marks.
    expect(await page.locator("#timeline svg rect.bar").count()).toBeGreaterThan(5);
    expect(await page.locator("#timeline polygon.mark-resume").count()).toBeGreaterThan(0);
    expect(await page.locator("#timeline polygon.mark-pause").count()).toBeGreaterThan(0);
    // The latest decision with its reason, on the queue it concerns.
    const withAction = snap.queues.find((q) => q.lastAction)!;
    expect(await page.locator(`tr[data-queue="${withAction.name}"]`).textContent()).toContain(withAction.lastAction!.detail);

    // A person pauses a running queue; the page shows it held on its own.
    const running = snap.queues.find((q) => q.state === "running")!;
    expect((await h.person(running.name, true)).status).toBe(200);
    await h.advance(20_000);
    await page.waitForSelector(`tr[data-queue="${running.name}"][data-state="held"]`, { timeout: 10_000 });
    expect(await rowState(page, running.name)).toBe("held");
    expect(await page.locator(`#waits li[data-queue="${running.name}"]`).textContent()).toContain("paused by someone else");
    expect(await page.locator("#timeline polygon.mark-held").count()).toBe(1);

    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await close();
  });

  test("the storage template off: storageTemplateMigration shows as passing through, with no slot, in English and in Russian", async () => {
    h = await startStatusHarness({ STATUS_ADDR: "0", MAX_CONCURRENT_JOBS: "2", TZ: "UTC" }, { passThrough: true });
    h.sim.engine.upload({ photos: 50, videos: 0 });
    await h.advance(5_000);
    const snap = h.wiring.recorder.current;
    expect(snap.queues.find((q) => q.name === "storageTemplateMigration")).toMatchObject({ state: "pass-through", occupiesSlot: false });
    const { page, errors, close } = await openPage(`${h.wiring.server!.url}/?refresh=1`, { width: 1280, height: 900 });
    await page.waitForSelector('tr[data-queue="storageTemplateMigration"]');
    expect(await rowState(page, "storageTemplateMigration")).toBe("pass-through");
    expect(await page.locator('tr[data-queue="storageTemplateMigration"] .pill').textContent()).toBe("passes through");
    expect(await page.locator("#slots").textContent()).toBe(`${snap.slots.used} of 2`);
    await page.evaluate(() => localStorage.setItem("ijd-lang", "ru"));
    await page.reload();
    await page.waitForSelector('tr[data-queue="storageTemplateMigration"]');
    expect(await page.locator('tr[data-queue="storageTemplateMigration"] .pill').textContent()).toBe("пропускает");
    expect(errors).toEqual([]);
    await close();
  });

  test("ETAs never mislead: unmeasured queues are estimated and marked so; short runs between looks are drawn", async () => {
    h = await startStatusHarness({ STATUS_ADDR: "0", MAX_CONCURRENT_JOBS: "1", TZ: "UTC" });
    // Ten photos: each stage drains in a second or two, shorter than the interval between looks.
    h.sim.engine.upload({ photos: 10, videos: 0 });
    await h.advance(10_000);
    const snap = h.wiring.recorder.current;
    // One look: no queue has a measured rate yet, each gets the usual cost of its jobs.
    expect(snap.etas!.estimated.length).toBeGreaterThan(0);
    const { page, errors, close } = await openPage(`${h.wiring.server!.url}/?refresh=1`, { width: 1280, height: 900 });
    await page.waitForSelector("tr[data-queue]");
    expect(await page.locator("#eta").textContent()).toMatch(/^~\d+ (s|min|h).* \(estimate\)$/);
    const estimated = snap.etas!.estimated[0]!;
    expect(await page.locator(`tr[data-queue="${estimated}"] td[data-label="ETA"]`).textContent()).toMatch(/\(est\.\)$/);
    // A person also resumes storageTemplateMigration (fast jobs) from Immich's admin page as soon as
    // work waits there: it drains between two looks too.
    for (let i = 0, resumed = false; i < 60; i++) {
      await h.advance(1_000);
      const q = h.wiring.recorder.current.queues.find((x) => x.name === "storageTemplateMigration")!;
      if (!resumed && q.pending > 0 && q.isPaused) resumed = (await h.person(q.name, false)).status === 200;
    }
    const spans = h.wiring.recorder.current.timeline.queues.flatMap((q) => q.spans);
    const between = spans.filter((sp) => sp.between).length;
    expect(between).toBeGreaterThan(0);
    await page.reload();
    await page.waitForSelector("#timeline svg rect.bar");
    expect(await page.locator("#timeline svg rect.between").count()).toBe(between);
    expect(await page.locator("#timeline svg rect.between title").first().textContent()).toMatch(/jobs done between two looks/);
    expect(errors).toEqual([]);
    await close();
  });

  test("works under a reverse proxy's sub-path, with or without the trailing slash", async () => {
    h = await busyDaemon();
    const upstream = h.wiring.server!.url;
    const proxy = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req) => {
        const u = new URL(req.url);
        if (!u.pathname.startsWith("/immich-jobs")) return new Response("not here", { status: 404 });
        return fetch(upstream + (u.pathname.slice("/immich-jobs".length) || "/") + u.search);
      },
    });
    stops.push(() => proxy.stop(true));
    for (const path of ["/immich-jobs/", "/immich-jobs"]) {
      const { page, errors, close } = await openPage(`http://127.0.0.1:${proxy.port}${path}`, { width: 1024, height: 768 });
      await page.waitForSelector("tr[data-queue]");
      expect(await page.locator('footer a[data-path="metrics"]').getAttribute("href")).toBe(`http://127.0.0.1:${proxy.port}/immich-jobs/metrics`);
      expect(errors).toEqual([]);
      await close();
    }
  });

  test("readable on a phone and a desktop, dark and light: screenshots", async () => {
    h = await busyDaemon();
    const url = `${h.wiring.server!.url}/`;
    for (const [name, viewport, scheme] of [
      ["status-page-desktop.png", { width: 1280, height: 900 }, "light"],
      ["status-page-phone.png", { width: 390, height: 844 }, "dark"],
    ] as const) {
      const { page, errors, close } = await openPage(url, viewport, scheme);
      await page.waitForSelector("#timeline svg rect.bar");
      // Nothing wider than the screen: no sideways scrolling on a phone.
      // (Expressions as strings: they run in the page, whose globals this file's types do not know.)
      expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(viewport.width);
      const bg = await page.evaluate<string>("getComputedStyle(document.body).backgroundColor");
      expect(bg).toBe(scheme === "dark" ? "rgb(15, 18, 22)" : "rgb(246, 247, 249)");
      const png = await page.screenshot({ path: join(SHOTS, name), fullPage: true });
      expect(png.length).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
      await close();
    }
  });
});
