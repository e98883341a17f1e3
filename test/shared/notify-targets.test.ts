// NOTIFY_URL: ntfy topics and json+ webhooks, every wrong form named.
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/index.ts";
import { parseNotifyTargets } from "../../src/shared/notify-targets.ts";

describe("NOTIFY_URL", () => {
  test("a plain URL is an ntfy topic, json+ a webhook; several separated by spaces; logs see only the host", () => {
    expect(parseNotifyTargets(" https://ntfy.sh/immich-jobs   json+https://hooks.example.org/T0/secret-path?k=v\nhttp://10.0.0.2:8090/alerts ")).toEqual([
      { kind: "ntfy", url: "https://ntfy.sh/immich-jobs", label: "ntfy at ntfy.sh" },
      { kind: "json", url: "https://hooks.example.org/T0/secret-path?k=v", label: "webhook at hooks.example.org" },
      { kind: "ntfy", url: "http://10.0.0.2:8090/alerts", label: "ntfy at 10.0.0.2:8090" },
    ]);
  });

  test.each([
    ["ntfy.sh/topic", "is not a URL"],
    ["ftp://x/y", "must start with http://, https://, json+http:// or json+https://, not ftp:"],
    ["https://ntfy.sh", "names no ntfy topic; add it as the path, e.g. https://ntfy.sh/immich-jobs (or prefix json+ for a JSON webhook)"],
    ["https://bob:pw@ntfy.sh/t", "must not carry a user name or password; give ntfy's access token in NOTIFY_TOKEN or NOTIFY_TOKEN_FILE"],
    ["https://ntfy.sh/a json+mailto:x", "the second URL must start with http://, https://, json+http:// or json+https://, not mailto:"],
  ])("%p: %s", (raw, problem) => {
    expect(parseNotifyTargets(raw)).toEqual({ problem });
  });

  test("through the configuration: targets, the token from a file, the outage threshold; bad ones named without showing secrets", () => {
    const files: Record<string, string> = { "/run/secrets/ntfy": "tk_abcdefghijklmnop\n" };
    const read = (p: string) => {
      if (p in files) return files[p]!;
      throw Object.assign(new Error("nope"), { code: "ENOENT" });
    };
    const ok = loadConfig({ API_KEY: "k", NOTIFY_URL: "https://ntfy.sh/t", NOTIFY_TOKEN_FILE: "/run/secrets/ntfy", NOTIFY_OUTAGE_AFTER: "10m" }, read);
    expect(ok.ok && [ok.config.notifyTargets.length, ok.config.notifyToken, ok.config.notifyOutageAfterMs]).toEqual([1, "tk_abcdefghijklmnop", 600_000]);

    const bad = loadConfig({ API_KEY: "k", NOTIFY_URL: "https://ntfy.sh", NOTIFY_TOKEN: "tk_secret_value_123", NOTIFY_TOKEN_FILE: "/run/secrets/none", NOTIFY_OUTAGE_AFTER: "soon" }, read);
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    const text = bad.errors.map((e) => e.message).join("\n");
    expect(bad.errors.map((e) => e.variable)).toEqual(["NOTIFY_URL", "NOTIFY_TOKEN_FILE", "NOTIFY_OUTAGE_AFTER"]);
    expect(text).toContain("names no ntfy topic");
    expect(text).toContain("NOTIFY_TOKEN is set too");
    expect(text).not.toContain("tk_secret_value_123");

    const orphan = loadConfig({ API_KEY: "k", NOTIFY_TOKEN: "tk_abcdefghijklmnop" }, read);
    expect(!orphan.ok && orphan.errors.map((e) => e.message)).toEqual(['NOTIFY_TOKEN="tk_a…": NOTIFY_URL is not set, so nothing would use it; set NOTIFY_URL too, or drop it.']);
  });
});
