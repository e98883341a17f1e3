import { expect, test } from "bun:test";
import { VERSION } from "../src/shared/version.ts";
test("version is set", () => {
  expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
});
