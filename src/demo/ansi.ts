// The few ANSI escapes the demo uses, written directly (no dependency), and
// text fitting that ignores them: a line that wraps would break the
// redraw, which moves the cursor up by a count of lines.

const ESC = "\x1b[";

export type Paint = "bold" | "dim" | "red" | "green" | "yellow" | "blue" | "magenta" | "cyan";

const SGR: Record<Paint, string> = {
  bold: "1",
  dim: "2",
  red: "31",
  green: "32",
  yellow: "33",
  blue: "34",
  magenta: "35",
  cyan: "36",
};

/** Colours a text, or returns it as is when colour is off. */
export function paint(on: boolean, how: Paint | readonly Paint[], text: string): string {
  const list = typeof how === "string" ? [how] : how;
  if (!on || text === "" || list.length === 0) return text;
  const codes = list.map((p) => SGR[p]).join(";");
  return `${ESC}${codes}m${text}${ESC}0m`;
}

/** Matches one SGR sequence (the only escapes a rendered line contains). */
const SGR_RE = /\x1b\[[0-9;]*m/y;

/** Removes colour escapes. */
export function strip(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

/** Printed width, counting each code point as one column (the demo only uses single-width characters). */
export function width(text: string): number {
  return [...strip(text)].length;
}

/**
 * Cuts a line to at most `max` printed columns, ending with "…" when cut,
 * keeping colour escapes intact (and closing any colour left open).
 */
export function fit(text: string, max: number): string {
  if (width(text) <= max) return text;
  if (max <= 0) return "";
  let out = "";
  let used = 0;
  let coloured = false;
  for (let i = 0; i < text.length; ) {
    SGR_RE.lastIndex = i;
    const m = SGR_RE.exec(text);
    if (m) {
      out += m[0];
      coloured = m[0] !== `${ESC}0m`;
      i += m[0].length;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    if (used === max - 1) break;
    out += ch;
    used++;
    i += ch.length;
  }
  return out + "…" + (coloured ? `${ESC}0m` : "");
}

/** Pads to `n` printed columns (left-aligned), or right-aligns with `right`. */
export function pad(text: string, n: number, right = false): string {
  const gap = " ".repeat(Math.max(0, n - width(text)));
  return right ? gap + text : text + gap;
}

/** Redraw controls for a terminal. */
export const TERM = {
  /** Cursor to the start of the line `n` lines up. */
  up: (n: number) => (n > 0 ? `${ESC}${n}F` : "\r"),
  /** Clear from the cursor to the end of the line. */
  clearLine: `${ESC}K`,
  /** Clear from the cursor to the end of the screen. */
  clearBelow: `${ESC}J`,
  /** Terminals that know it paint a frame at once (others ignore it). */
  syncStart: `${ESC}?2026h`,
  syncEnd: `${ESC}?2026l`,
} as const;
