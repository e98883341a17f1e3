// The command blocks of the documentation (README.md, README.ru.md, docs/*.md)
// and how each says it was checked, on the line right before its fence:
//   *Run by `test/x.test.ts`*  or  <!-- run by test/x.test.ts -->
//   *Not run here: why*        or  <!-- not run: why -->
// A command block is a ```sh block (commands) or a ```console block (a
// transcript: `$ command` lines, each followed by what it prints). The tests
// named run those blocks as written, with a few stated substitutions (sudo
// dropped, system paths under a temporary root, the simulator's URL and key).

export interface GuideBlock {
  /** The test file the mark names ("" if none). */
  runBy: string;
  /** The reason a block is not run ("" if it is run or unmarked). */
  notRun: string;
  /** The fence's language: sh or console. */
  lang: string;
  /** The commands, as written. */
  text: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
}

export interface Fence {
  lang: string;
  text: string;
  line: number;
  /** The line right before the opening fence. */
  before: string;
}

/** The languages of command blocks: every one of them is run by a test or says why not. */
export const COMMAND_LANGS = ["sh", "console"];

const RUN = [/^\*Run by `([^`]+)`\*$/, /^<!-- run by (\S+) -->$/];
const NOT_RUN = [/^\*Not run here: (.+)\*$/, /^<!-- not run: (.+) -->$/];

/** Every fenced block (``` at any indentation), with its language ("" when it names none). */
export function fences(markdown: string): Fence[] {
  const lines = markdown.split("\n");
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, ticks, lang] = open;
    let end = i + 1;
    while (end < lines.length && lines[end]!.trim() !== ticks) end++;
    if (end >= lines.length) throw new Error(`unclosed block at line ${i + 1}`);
    const body = lines.slice(i + 1, end).map((l) => (l.startsWith(indent!) ? l.slice(indent!.length) : l));
    out.push({ lang: lang!, text: body.join("\n"), line: i + 1, before: (lines[i - 1] ?? "").trim() });
    i = end;
  }
  return out;
}

/** Every command block with its mark. */
export function guideBlocks(markdown: string): GuideBlock[] {
  return fences(markdown)
    .filter((f) => COMMAND_LANGS.includes(f.lang))
    .map((f) => ({
      runBy: RUN.map((r) => r.exec(f.before)?.[1]).find(Boolean) ?? "",
      notRun: NOT_RUN.map((r) => r.exec(f.before)?.[1]).find(Boolean) ?? "",
      lang: f.lang,
      text: f.text,
      line: f.line,
    }));
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

/** A transcript (```console): each `$ command` with the lines it prints. */
export function transcript(text: string): { command: string; output: string[] }[] {
  const out: { command: string; output: string[] }[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("$ ")) out.push({ command: line.slice(2), output: [] });
    else if (out.length === 0) throw new Error(`a transcript starts with "$ ", not ${JSON.stringify(line)}`);
    else out.at(-1)!.output.push(line);
  }
  return out;
}

/** Whether a printed line matches a transcript's line, where `...` or `…` stands for any text. */
export function lineMatches(expected: string, actual: string): boolean {
  const pattern = expected
    .split(/\.\.\.|…/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${pattern}$`).test(actual);
}
