import { expect, test } from "bun:test";
import fc from "fast-check";
import { grouped } from "../../src/core/numbers.ts";

test("grouped writes integers as toLocaleString('en-US') does", () => {
  for (const n of [0, 1, 12, 999, 1000, 1001, 12345, 999999, 1000000, 1234567890, -1, -1234, 2 ** 53 - 1]) {
    expect(grouped(n)).toBe(n.toLocaleString("en-US"));
  }
  fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), (n) => grouped(n) === n.toLocaleString("en-US")));
  fc.assert(fc.property(fc.maxSafeInteger(), (n) => grouped(n) === n.toLocaleString("en-US")));
});
