// The last line of defence for the API key (issue 7 item 5): every byte a
// command writes to stdout or stderr passes through here, and any occurrence
// of the key (or of API_KEY_FILE's content) is replaced by "***", whatever
// wrote it: a configuration error echoing a URL, a proxy's 401 message that
// repeats the key, a text or JSON log line. Messages already redact what they
// know to be secret (shared/redact.ts); this catches what they cannot know,
// such as words a server sends back.
import type { TextOut } from "./text-out.ts";

/** Shorter secrets are not masked in free text: "info" would eat log levels. Immich's keys are 43 characters. */
export const MIN_MASKED_LENGTH = 8;
export const MASK = "***";

/** A function hiding every form of the secrets a line could carry: as given, URL-encoded, JSON-escaped. */
export function secretMasker(secrets: readonly (string | undefined)[]): (text: string) => string {
  const forms = new Set<string>();
  for (const s of secrets) {
    const secret = s?.trim();
    if (!secret || secret.length < MIN_MASKED_LENGTH) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so a form containing another is replaced whole.
  const list = [...forms].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const f of list) if (out.includes(f)) out = out.replaceAll(f, MASK);
    return out;
  };
}

/** `stream` with every write passed through `mask` first; everything else is the stream's own. */
export function maskedStream<S extends TextOut>(stream: S, mask: (text: string) => string): S {
  return new Proxy(stream, {
    get(target, prop, receiver) {
      if (prop === "write") {
        return (chunk: unknown, ...rest: unknown[]) => {
          const text = typeof chunk === "string" ? chunk : chunk instanceof Uint8Array ? new TextDecoder().decode(chunk) : String(chunk);
          return (target.write as (...a: unknown[]) => boolean).call(target, mask(text), ...rest);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
