// The command blocks of a guide (docs/nas.md) that say which test runs them:
// a line `*Run by `test/x.test.ts`*` right before a ```sh block. The tests
// run those blocks as written, with a few stated substitutions (sudo dropped,
// system paths under a temporary root, the simulator's URL and key).

export interface GuideBlock {
  /** The test file the guide names. */
  runBy: string;
  /** The commands, as written. */
  text: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
}

const MARK = /^\*Run by `([^`]+)`\*$/;

/** Every ```sh block with its mark (runBy "" for a block without one). */
export function guideBlocks(markdown: string): GuideBlock[] {
  const lines = markdown.split("\n");
  const out: GuideBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== "```sh") continue;
    const end = lines.indexOf("```", i + 1);
    if (end < 0) throw new Error(`unclosed block at line ${i + 1}`);
    const mark = MARK.exec(lines[i - 1] ?? "");
    out.push({ runBy: mark?.[1] ?? "", text: lines.slice(i + 1, end).join("\n"), line: i + 1 });
    i = end;
  }
  return out;
}

export interface Substitution {
  root: string;
  url: string;
  key: string;
}

/**
 * The block as the test runs it: `sudo ` dropped, /usr/local and /etc under
 * `root`, the example URL and key replaced by the simulator's.
 */
export function substitute(text: string, s: Substitution): string {
  return text
    .replace(/\bsudo /g, "")
    .replace(/(^|[\s'=])\/usr\/local\//g, `$1${s.root}/usr/local/`)
    .replace(/(^|[\s'=])\/etc\//g, `$1${s.root}/etc/`)
    .replaceAll("http://127.0.0.1:2283", s.url)
    .replaceAll("your-admin-key", s.key);
}
