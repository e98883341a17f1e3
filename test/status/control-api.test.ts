// The owner's controls on the status server (issue 18 items 1, 2), over a
// real socket: off by default; no token → 401; a wrong Origin → 403; GET
// changes nothing; failed attempts are rate-limited and logged once per
// burst; the token is never echoed in an answer, a header, a log line,
// /api/status or /metrics.
import { afterEach, describe, expect, test } from "bun:test";
import { startStatus, type StatusWiring } from "../../src/cli/status-wiring.ts";
import { loadConfig } from "../../src/config/index.ts";
import { ControlKeeper } from "../../src/daemon/control-keeper.ts";
import type { ImmichApi } from "../../src/daemon/daemon.ts";
import { memoryLog } from "../../src/daemon/log.ts";
import { memoryStateStore } from "../../src/daemon/state-file.ts";
import { MAX_FAILURES } from "../../src/status/control-auth.ts";
import { VirtualClock } from "../../src/shared/clock.ts";

const TOKEN = "s3cret-token-0123456789abcdef";
const client = { connect: async () => ({}), observe: async () => ({}), setPaused: async () => {} } as unknown as ImmichApi;
const T0 = Date.UTC(2026, 0, 10, 12, 0);

let running: StatusWiring | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function start(env: Record<string, string> = {}) {
  const loaded = loadConfig({ API_KEY: "k", STATUS_ADDR: "127.0.0.1:0", TZ: "UTC", ...env }, () => "");
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const clock = new VirtualClock(T0);
  const log = memoryLog();
  const store = memoryStateStore();
  const control = new ControlKeeper({ store, log, managed: loaded.config.managedQueues, configuredN: 1, zone: "UTC" });
  const w = startStatus(loaded.config, client, clock, log, fetch, { control });
  if ("problem" in w) throw new Error(w.problem);
  running = w;
  const url = w.server!.url;
  const origin = url;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { w, url, origin, post, log, store, control, clock };
}

describe("off by default", () => {
  test("without CONTROL_TOKEN the page is read-only: every POST is 403 with the reason; the session says so", async () => {
    const s = start();
    const r = await s.post("/api/hold", { for: "1h" }, { authorization: `Bearer ${TOKEN}`, origin: s.origin });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: string }).error).toContain("control is off");
    expect(await (await fetch(s.url + "/api/session")).json()).toMatchObject({ control: false, authenticated: false });
    expect(s.control.current).toEqual({});
    const st = (await (await fetch(s.url + "/api/status")).json()) as { control: unknown };
    expect(st.control).toMatchObject({ enabled: false, state: {} });
  });
});

describe("with CONTROL_TOKEN", () => {
  test("no token → 401; a wrong bearer → 401; nothing changes", async () => {
    const s = start({ CONTROL_TOKEN: TOKEN });
    expect((await s.post("/api/hold", { for: "1h" }, { origin: s.origin })).status).toBe(401);
    expect((await s.post("/api/hold", { for: "1h" }, { authorization: "Bearer wrong-token-but-long-enough" })).status).toBe(401);
    expect(s.control.current).toEqual({});
  });

  test("the bearer token holds everything; the answer says what will happen; /api/status shows it", async () => {
    const s = start({ CONTROL_TOKEN: TOKEN });
    const r = await s.post("/api/hold", { for: "2h" }, { authorization: `Bearer ${TOKEN}` });
    expect(r.status).toBe(200);
    const a = (await r.json()) as { message: string };
    expect(a).toMatchObject({ ok: true, code: "hold-all", params: { until: T0 + 2 * 3_600_000 } });
    expect(a.message).toContain("every managed queue will be paused gracefully");
    expect(s.control.current.all).toMatchObject({ until: T0 + 2 * 3_600_000, by: "127.0.0.1", channel: "api" });
    expect(s.store.savedControl?.all?.until).toBe(T0 + 2 * 3_600_000);
    const st = (await (await fetch(s.url + "/api/status")).json()) as { control: unknown };
    expect(st.control).toMatchObject({ enabled: true, zone: "UTC", configuredN: 1, state: { all: { until: T0 + 2 * 3_600_000 } } });
    expect(s.log.lines.some((l) => l.msg.startsWith("127.0.0.1 through the API asked to hold:"))).toBe(true);
    expect(await (await fetch(s.url + "/metrics")).text()).toContain(`immich_job_daemon_owner_hold_until_seconds{queue=""} ${(T0 + 2 * 3_600_000) / 1000}`);
  });

  test("a page session: login needs the page's Origin; actions need the session and the Origin (403 otherwise)", async () => {
    const s = start({ CONTROL_TOKEN: TOKEN });
    expect((await s.post("/api/login", { token: TOKEN }, { origin: "https://evil.example" })).status).toBe(403);
    const login = await s.post("/api/login", { token: TOKEN }, { origin: s.origin });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^ijd_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const session = cookie.split(";")[0]!;
    expect(await (await fetch(s.url + "/api/session", { headers: { cookie: session } })).json()).toMatchObject({ control: true, authenticated: true });
    // Another site's form or script: refused even with the cookie.
    expect((await s.post("/api/hold", { for: "1h" }, { cookie: session, origin: "https://evil.example" })).status).toBe(403);
    expect((await s.post("/api/hold", { for: "1h" }, { cookie: session })).status).toBe(403);
    expect(s.control.current).toEqual({});
    const ok = await s.post("/api/hold", { for: "1h", queue: "smartSearch" }, { cookie: session, origin: s.origin });
    expect(ok.status).toBe(200);
    expect(s.control.current.queues?.smartSearch).toMatchObject({ channel: "page" });
    // Logout ends the session.
    expect((await s.post("/api/logout", undefined, { cookie: session, origin: s.origin })).status).toBe(200);
    expect((await s.post("/api/release", {}, { cookie: session, origin: s.origin })).status).toBe(401);
  });

  test("GET, HEAD, PUT and friends change nothing", async () => {
    const s = start({ CONTROL_TOKEN: TOKEN });
    for (const method of ["GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      for (const path of ["/api/hold", "/api/release", "/api/n", "/api/resume-all", "/api/missing", "/api/login"]) {
        const r = await fetch(`${s.url}${path}?for=1h&n=3&queue=smartSearch`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
        expect([403, 405]).toContain(r.status);
      }
    }
    expect(s.control.current).toEqual({});
  });

  test("a bad body is a 400 with the reason", async () => {
    const s = start({ CONTROL_TOKEN: TOKEN });
    const h = { authorization: `Bearer ${TOKEN}` };
    const cases: [string, unknown, string][] = [
      ["/api/hold", {}, "one of the two"],
      ["/api/hold", { for: "soon" }, "not a duration"],
      ["/api/hold", { for: "1h", queue: "backgroundTask" }, "not a managed queue"],
      ["/api/hold", { for: "1h", why: 1 }, 'unknown field "why"'],
      ["/api/n", { n: 0, for: "1h" }, "from 1 to 1000"],
      ["/api/n", { for: "1h" }, '"n" must be a whole number'],
      ["/api/missing", {}, '"queue" is required'],
      ["/api/missing", { queue: "integrityCheck" }, "cannot queue missing jobs"],
    ];
    for (const [path, body, problem] of cases) {
      const r = await s.post(path, body, h);
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: string }).error).toContain(problem);
    }
    const notJson = await fetch(s.url + "/api/hold", { method: "POST", headers: { ...h, "content-type": "application/json" }, body: "{" });
    expect(notJson.status).toBe(400);
    expect(s.control.current).toEqual({});
  });

  test("failed attempts: a 429 after the limit, one log line per burst, and a minute later it lets through again", async () => {
    const s = start({ CONTROL_TOKEN: TOKEN });
    const codes: number[] = [];
    for (let i = 0; i < MAX_FAILURES + 3; i++) codes.push((await s.post("/api/login", { token: `guess-${i}-xxxxxxxxxxxxxxxx` }, { origin: s.origin })).status);
    expect(codes.slice(0, MAX_FAILURES)).toEqual(Array(MAX_FAILURES).fill(401));
    expect(codes.slice(MAX_FAILURES)).toEqual([429, 429, 429]);
    // Even the right token waits out the burst.
    expect((await s.post("/api/login", { token: TOKEN }, { origin: s.origin })).status).toBe(429);
    expect(s.log.lines.filter((l) => l.msg.startsWith("refused a control request")).length).toBe(1);
    s.clock.advance(60_000);
    expect((await s.post("/api/login", { token: TOKEN }, { origin: s.origin })).status).toBe(200);
  });

  test("the token is never echoed: not in an answer, a header, a log line, /api/status, /metrics or the page", async () => {
    const s = start({ CONTROL_TOKEN: TOKEN });
    const seen: string[] = [];
    const keep = async (r: Response) => {
      seen.push(String(r.status), JSON.stringify([...r.headers]), await r.text());
    };
    await keep(await s.post("/api/login", { token: TOKEN }, { origin: s.origin }));
    await keep(await s.post("/api/login", { token: TOKEN + "x" }, { origin: s.origin }));
    await keep(await s.post("/api/hold", { for: "1h" }, { authorization: `Bearer ${TOKEN}` }));
    await keep(await s.post("/api/hold", { for: TOKEN }, { authorization: `Bearer ${TOKEN}` }));
    await keep(await s.post("/api/n", { n: 2, for: "1h" }, { authorization: `Bearer ${TOKEN}x` }));
    // A secret pasted into the queue field is not echoed either.
    const pasted = await s.post("/api/hold", { for: "1h", queue: "Abcdef0123456789abcdef0123456789" }, { authorization: `Bearer ${TOKEN}` });
    expect(await pasted.text()).not.toContain("Abcdef0123456789");
    for (const path of ["/", "/api/status", "/metrics", "/api/session", "/healthz"]) await keep(await fetch(s.url + path));
    const all = seen.join("\n") + JSON.stringify(s.log.lines) + JSON.stringify(s.store.savedControl);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(TOKEN.slice(0, 12));
  });
});

describe("the page's language", () => {
  test("from Accept-Language, by preference, English otherwise; the page says it in <html lang>", async () => {
    const { pageLanguage } = await import("../../src/status/http.ts");
    expect(pageLanguage(null)).toBe("en");
    expect(pageLanguage("ru-RU,ru;q=0.9,en-US;q=0.8")).toBe("ru");
    expect(pageLanguage("de-DE,de;q=0.9,ru;q=0.5,en;q=0.4")).toBe("ru");
    expect(pageLanguage("de-DE,en;q=0.9,ru;q=0.5")).toBe("en");
    expect(pageLanguage("ru;q=0,fr")).toBe("en");
    const s = start();
    const ru = await fetch(s.url + "/", { headers: { "accept-language": "ru,en;q=0.5" } });
    expect(ru.headers.get("content-language")).toBe("ru");
    expect(await ru.text()).toContain('<html lang="ru">');
    expect(await (await fetch(s.url + "/", { headers: { "accept-language": "en" } })).text()).toContain('<html lang="en">');
  });
});
