// Text from outside (queue names, a server's words, a configuration value)
// shown to a person: control characters, terminal escape sequences and
// bidirectional overrides as \xNN / \uNNNN, so that it cannot forge a line,
// recolour or retitle a terminal, or reverse what a line reads as (issue 7
// item 7 for the logs, issue 16 item 6 for `status`, `healthcheck` and
// configuration errors). JSON output escapes them by nature.

const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** Characters of a value an error message quotes at most. */
export const EXCERPT_CHARS = 60;

/** At most `max` characters of `text` (then "…"), escaped: what an error may quote of a value it was given. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  const chars = [...text];
  const cut = chars.length > max ? `${chars.slice(0, max).join("")}…` : text;
  return escapeControls(cut);
}

/** What JSON.stringify leaves raw that a terminal still acts on: DEL, C1 controls, bidi marks and overrides, line separators. */
const JSON_RAW = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON text with those characters as \uNNNN: the same JSON, safe to print (they only ever occur inside strings). */
export function terminalSafeJson(json: string): string {
  return json.replace(JSON_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
