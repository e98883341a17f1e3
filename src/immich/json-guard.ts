// What a hostile or broken server could do to the daemon through one answer,
// stopped before JSON.parse and the schemas see it (issue 7 item 7):
//   - a huge body: read through a size limit, never whole (readLimited);
//   - deep nesting: JSON.parse and the schema checks recurse, and 100,000
//     nested brackets end in "Maximum call stack size exceeded";
//   - a repeated key: JSON.parse keeps the last silently, so a queue listed
//     twice could be read as paused while it runs.
// A body failing any of these is an answer the daemon cannot trust (rule 10).

/** Immich's largest answer the daemon reads (GET /jobs, ~20 queues) is a few KB. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Immich's answers nest 4 levels deep at most. */
export const MAX_DEPTH = 32;

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the answer is larger than ${limit} bytes`);
  }
}

/** The body as text, read chunk by chunk; throws BodyTooLarge past `limit` bytes (and stops reading). */
export async function readLimited(res: Response, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel().catch(() => {});
    throw new BodyTooLarge(limit);
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge(limit);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * Why `text` must not be parsed, or undefined if it may be. One pass over
 * the text, no recursion: nesting deeper than `maxDepth`, or an object with
 * the same key twice. Text that is not JSON at all passes (JSON.parse says so).
 */
export function jsonHazard(text: string, maxDepth = MAX_DEPTH): string | undefined {
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
          return undefined; // not JSON: JSON.parse will say so
        }
        if (top.has(key)) return `the key ${JSON.stringify(key).slice(0, 80)} appears twice in one object`;
        top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push(c === 0x7b ? new Set() : null);
      if (stack.length > maxDepth) return `it nests deeper than ${maxDepth} levels`;
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
