// What a hostile or broken server could do to the daemon through one answer,
// stopped before the schemas see it (issue 7 item 7):
//   - a huge body: read through a size limit, never whole (readLimited);
//   - deep nesting: the schema checks recurse, and 100,000 nested brackets
//     end in "Maximum call stack size exceeded";
//   - a repeated key: JSON.parse keeps the last silently, so a queue listed
//     twice could be read as paused while it runs.
// A body failing any of these is an answer the daemon cannot trust (rule 10).

import { readLimited as readBody } from "../shared/bounded-read.ts";

/** Immich's largest answer the daemon reads (GET /jobs, ~20 queues) is a few KB. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Immich's answers nest 4 levels deep at most. */
export const MAX_DEPTH = 32;

/** Past the cap (shared/bounded-read.ts: every answer the daemon reads is bounded alike). */
export { TooLarge as BodyTooLarge } from "../shared/bounded-read.ts";

/** The body as text; throws BodyTooLarge past `limit` bytes (and stops reading). */
export const readLimited = (res: Response, limit = MAX_BODY_BYTES): Promise<string> => readBody(res, limit);

/** What parseGuarded makes of a body: its JSON, why it must not be trusted, or nothing (not JSON at all). */
export type Guarded = { json: unknown } | { hazard: string } | undefined;

/**
 * Every JSON string token, with `:` and the blank before it kept when the
 * string is an object key: replacing each match by its group 1 leaves the
 * text's structure with one `:` per key and no string content (so a `{`, `"`
 * or `:` inside a string counts for nothing). In valid JSON the global search
 * always lands on an opening quote, so the tokens are exact.
 */
const STRING_TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"(\s*:)?/g;
/** A container with no container inside it. */
const INNERMOST = /[[{][^[\]{}]*[\]}]/g;
const OPENING = /[[{]/;

const skeleton = (json: string) => json.replace(STRING_TOKEN, "$1");
const colons = (s: string) => s.length - s.replaceAll(":", "").length;

/**
 * Parses `text` and says whether it can be trusted: nesting no deeper than
 * `maxDepth`, and no object with the same key twice. Done with the runtime's
 * own parser and regular expressions, never a character loop in JavaScript:
 * every poll passes through here, and an idle daemon's cost per poll is the
 * point (issue 6). The runtime's JSON.parse does not recurse, so a hostile
 * depth is measured after parsing, and nothing of ours ever walks it:
 * - depth: the structure left once strings are gone loses its innermost
 *   containers at each pass, so the passes needed are the depth (stopped
 *   at maxDepth + 1);
 * - a repeated key: JSON.parse keeps the last silently, so the parsed value
 *   has fewer keys than the text; the keys are counted in the text and in the
 *   value written back out. Only then is the text scanned to name the key.
 */
export function parseGuarded(text: string, maxDepth = MAX_DEPTH): Guarded {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const structure = skeleton(text);
  let rest = structure;
  for (let depth = 0; OPENING.test(rest); depth++) {
    if (depth === maxDepth) return { hazard: `it nests deeper than ${maxDepth} levels` };
    rest = rest.replace(INNERMOST, "");
  }
  if (colons(structure) !== colons(skeleton(JSON.stringify(json)))) {
    return { hazard: repeatedKey(text) ?? "a key appears twice in one object" };
  }
  return { json };
}

/**
 * The message for the first object in `text` with a key twice, by a scan of
 * the text (only once parseGuarded knows there is one). Text that is not
 * JSON yields undefined.
 */
export function repeatedKey(text: string): string | undefined {
  // Per open container: the keys seen so far if it is an object, null for an array.
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          return undefined;
        }
        if (top.has(key)) return `the key ${JSON.stringify(key).slice(0, 80)} appears twice in one object`;
        top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push(c === 0x7b ? new Set() : null);
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] !== null && stack.length > 0;
    }
  }
  return undefined;
}
