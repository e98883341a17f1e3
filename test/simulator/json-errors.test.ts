// The simulator words a malformed JSON body as Node's V8 does (Immich runs
// on Node; the simulator on Bun, whose messages differ). Expected messages
// were produced by Node 20's JSON.parse on the same inputs.

import { expect, test } from "bun:test";
import { v8JsonParseError } from "../../src/simulator/json-errors.ts";

const CASES: [string, string | null][] = [
  ["{\"isPaused\":", "Unexpected end of JSON input"],
  ["{a", "Expected property name or '}' in JSON at position 1"],
  ["tru", "Unexpected end of JSON input"],
  ["[1,]", "Unexpected token ']', \"[1,]\" is not valid JSON"],
  ["{\"a\":1,}", "Expected double-quoted property name in JSON at position 7"],
  ["{\"a\" 1}", "Expected ':' after property name in JSON at position 5"],
  ["{\"a\":1} x", "Unexpected non-whitespace character after JSON at position 8"],
  ["{\"isPaused\": yes, \"and a long tail here\": 1}", "Unexpected token 'y', ...\"sPaused\": yes, \"and \"... is not valid JSON"],
  ["{\"a\":\"b", "Unterminated string in JSON at position 7"],
  ["{\"a\":-}", "No number after minus sign in JSON at position 6"],
  ["{\"a\":1.}", "Unterminated fractional number in JSON at position 7"],
  ["{\"a\":[1 2]}", "Expected ',' or ']' after array element in JSON at position 8"],
  ["{\"a\":\"\\q\"}", "Bad escaped character in JSON at position 7"],
  ["", "Unexpected end of JSON input"],
  ["   ", "Unexpected end of JSON input"],
  ["x", "Unexpected token 'x', \"x\" is not valid JSON"],
  ["yes please and more text here", "Unexpected token 'y', \"yes please\"... is not valid JSON"],
  ["{\"a\":1e}", "Exponent part is missing a number in JSON at position 7"],
  ["{\"a\":\"\u0001\"}", "Bad control character in string literal in JSON at position 6"],
  ["{\"a\":\"\\u12\"}", "Bad Unicode escape in JSON at position 10"],
  ["{\"a\":1,\"b\":2, \"c\":3, \"d\": tru}", "Unexpected token '}', ...\", \"d\": tru}\" is not valid JSON"],
  ["[", "Unexpected end of JSON input"],
  ["{", "Expected property name or '}' in JSON at position 1"],
  ["{\"a\"", "Expected ':' after property name in JSON at position 4"],
  ["{\"a\":", "Unexpected end of JSON input"],
  ["{\"a\":1", "Expected ',' or '}' after property value in JSON at position 6"],
  ["[1", "Expected ',' or ']' after array element in JSON at position 2"],
  ["[1,", "Unexpected end of JSON input"],
  ["{\"a\":\"\\", "Unexpected end of JSON input"],
  ["nul", "Unexpected end of JSON input"],
  ["nulx", "Unexpected token 'x', \"nulx\" is not valid JSON"],
  ["01", "Unexpected number in JSON at position 1"],
  ["-", "No number after minus sign in JSON at position 1"],
  ["{\"long key with many characters\": x}", "Unexpected token 'x', ...\"racters\": x}\" is not valid JSON"],
  ["{\"a\": {\"b\": [true, false, null, 1.5e3, \"s\"]}}", null],
  ["[1,,2]", "Unexpected token ',', \"[1,,2]\" is not valid JSON"],
  ["{,}", "Expected property name or '}' in JSON at position 1"],
  ["{\"a\":1}}", "Unexpected non-whitespace character after JSON at position 7"],
];

test.each(CASES)("JSON.parse(%j) fails as in Node: %p", (text, message) => {
  expect(v8JsonParseError(text) ?? null).toBe(message);
});
