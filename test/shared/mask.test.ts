// The output masker (src/shared/mask.ts): every form of the key is hidden,
// short secrets are left to the messages' own redaction, writes pass through.
import { expect, test } from "bun:test";
import { maskedStream, secretMasker } from "../../src/shared/mask.ts";

const KEY = "a+b/c=d_e-f.g~h!i*j";

test("the key as is, URL-encoded and JSON-escaped becomes ***", () => {
  const mask = secretMasker([KEY, undefined, "short"]);
  expect(mask(`x ${KEY} y`)).toBe("x *** y");
  expect(mask(`?k=${encodeURIComponent(KEY)}`)).toBe("?k=***");
  const quoted = secretMasker(['ab"cd\\efgh']);
  expect(quoted(JSON.stringify({ m: 'ab"cd\\efgh' }))).toBe('{"m":"***"}');
  // Too short to mask in free text without eating ordinary words.
  expect(mask("short info")).toBe("short info");
});

test("a masked stream hides the key in strings and bytes and keeps the rest of the stream", () => {
  const seen: string[] = [];
  const target = { write: (s: string) => seen.push(s), other: () => 42 } as unknown as NodeJS.WritableStream & { other(): number };
  const out = maskedStream(target, secretMasker([KEY]));
  out.write(`one ${KEY}\n`);
  out.write(new TextEncoder().encode(`two ${KEY}\n`));
  expect(seen).toEqual(["one ***\n", "two ***\n"]);
  expect(out.other()).toBe(42);
});
