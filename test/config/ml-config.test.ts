// ML_URL through loadConfig: one or several URLs, or one line naming the variable and the wrong part.
import { expect, test } from "bun:test";
import { loadConfig } from "../../src/config/index.ts";

const KEY = "k3yABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn";
const load = (ML_URL: string) => loadConfig({ API_KEY: KEY, ML_URL }, () => "");

test("one URL, or several as Immich takes them; trailing slashes dropped, duplicates once", () => {
  const r = load("http://immich-machine-learning:3003/, http://gpu-desktop:3003,http://immich-machine-learning:3003");
  expect(r.ok && r.config.mlUrls).toEqual(["http://immich-machine-learning:3003", "http://gpu-desktop:3003"]);
  const none = loadConfig({ API_KEY: KEY }, () => "");
  expect(none.ok && none.config.mlUrls).toBeUndefined();
});

test.each([
  ["immich-machine-learning:3003", '"immich-machine-learning:3003" must start with http:// or https://'],
  ["http://ml:3003?token=abc", "must not have a query"],
  ["http://ml:3003?secret=abc", "must not have a query"],
  ["http://bob:secret@ml:3003", "must not contain a user name or password"],
  ["ftp://ml", "must start with http:// or https://, not ftp:"],
  [",", "names no URL"],
])("%s", (value, problem) => {
  const r = load(value);
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.errors).toHaveLength(1);
  expect(r.errors[0]!.message).toStartWith("ML_URL=");
  expect(r.errors[0]!.message).toContain(problem);
  expect(r.errors[0]!.message).toContain("Accepts the http(s) URL of Immich's machine-learning service");
  expect(r.errors[0]!.message).not.toContain("secret");
});
