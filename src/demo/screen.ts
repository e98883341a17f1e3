// Where frames go: a terminal gets the frame redrawn in place (cursor up,
// each line cleared, one write per frame so it does not flicker); anything
// else (a pipe, a CI log, --plain) gets one line per change. The alternate
// screen is not used on purpose: the last frame and the summary stay in the
// terminal's scrollback, and a hard kill leaves nothing to restore.

import { TERM } from "./ansi.ts";
import { initialPlainState, plainLines } from "./plain.ts";
import { renderFrame, renderSummary } from "./render.ts";
import type { DemoResult } from "./run-demo.ts";
import type { DemoView } from "./view-model.ts";

/** What the screen needs of stdout (a tty.WriteStream has columns and rows). */
export interface Output {
  write(text: string): unknown;
  columns?: number;
  rows?: number;
}

export interface Screen {
  frame(view: DemoView): void;
  end(result: DemoResult): void;
}

export function terminalScreen(out: Output, color: boolean): Screen {
  let drawn = 0;
  return {
    frame(view) {
      const text = renderFrame(view, { color, width: out.columns ?? 100, height: out.rows ?? 40 });
      const lines = text.split("\n");
      out.write(TERM.syncStart + TERM.up(drawn) + lines.map((l) => l + TERM.clearLine).join("\n") + "\n" + TERM.clearBelow + TERM.syncEnd);
      drawn = lines.length;
    },
    end(result) {
      out.write("\n" + renderSummary(result.summary, { color }) + "\n");
    },
  };
}

export function plainScreen(out: Output, color: boolean): Screen {
  let state = initialPlainState;
  const print = (lines: string[]) => {
    if (lines.length) out.write(lines.join("\n") + "\n");
  };
  return {
    frame(view) {
      const r = plainLines(state, view);
      state = r.state;
      print(r.lines);
    },
    end(result) {
      // The exit clean-up's lines come after the last frame.
      print(plainLines(state, { ...result.view, log: result.exitLog }).lines);
      out.write(renderSummary(result.summary, { color }) + "\n");
    },
  };
}
