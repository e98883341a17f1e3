// CONTROL_TOKEN / CONTROL_TOKEN_FILE (issue 18 item 2): control is on exactly
// when a token is given; refused at start (exit 2) are a token nothing would
// use (no STATUS_ADDR), a short one, both variables at once and a bad file;
// a token never shows in an error.
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/index.ts";

const TOKEN = "a-long-enough-control-token-0123";
const load = (env: Record<string, string>, files: Record<string, string> = {}) =>
  loadConfig({ API_KEY: "k", ...env }, (p) => {
    if (p in files) return files[p]!;
    throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
  });
const problems = (r: ReturnType<typeof load>) => (r.ok ? [] : r.errors.map((e) => `${e.variable}: ${e.message}`));

describe("CONTROL_TOKEN", () => {
  test("off by default; on with a token and STATUS_ADDR", () => {
    const off = load({ STATUS_ADDR: "8080" });
    expect(off.ok && off.config.controlToken).toBeUndefined();
    const on = load({ STATUS_ADDR: "8080", CONTROL_TOKEN: TOKEN });
    expect(on.ok && on.config.controlToken).toBe(TOKEN);
    const file = load({ STATUS_ADDR: "0.0.0.0:8080", CONTROL_TOKEN_FILE: "/run/secrets/t" }, { "/run/secrets/t": `${TOKEN}\n` });
    expect(file.ok && file.config.controlToken).toBe(TOKEN);
  });

  test("refused at start, each in one line, never showing the token", () => {
    const cases: [Record<string, string>, string][] = [
      [{ CONTROL_TOKEN: TOKEN }, "STATUS_ADDR is not set, so nothing would use it"],
      [{ STATUS_ADDR: "8080", CONTROL_TOKEN: "short" }, "CONTROL_TOKEN"],
      [{ STATUS_ADDR: "8080", CONTROL_TOKEN: TOKEN, CONTROL_TOKEN_FILE: "/t" }, "CONTROL_TOKEN is set too"],
      [{ STATUS_ADDR: "8080", CONTROL_TOKEN_FILE: "/missing" }, "no such file"],
    ];
    for (const [env, problem] of cases) {
      const r = load(env);
      expect(r.ok).toBe(false);
      const text = problems(r).join("\n");
      expect(text).toContain(problem);
      expect(text).not.toContain(TOKEN);
    }
    expect(problems(load({ STATUS_ADDR: "8080", CONTROL_TOKEN_FILE: "/t" }, { "/t": "short-token" })).join()).toContain("shorter than 16 characters");
  });
});
