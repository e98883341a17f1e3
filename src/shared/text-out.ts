// Where a command's text goes: stdout and stderr in src/main.ts, a
// collector in tests. Written a line (or a frame) at a time, whole.
//
// The real ones (fdOutput) write with writeSync to the file descriptor
// instead of through process.stdout/stderr: Node's stream machinery cost an
// idle daemon ~1.4 MB resident (issue 6), and a line written whole is all
// the commands need. The stream is made only when something needs more: a
// full pipe (EAGAIN on a non-blocking descriptor: the stream queues the rest
// and everything after it, in order), or the demo asking whether it draws
// on a terminal and how large. A closed reader (EPIPE: `| head`) drops what
// cannot be written, never a crash.

import { writeSync } from "node:fs";

export interface TextOut {
  write(text: string): unknown;
  /** A terminal: the demo redraws in place and sizes its frame to it. */
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
}

/**
 * Text written to `fd` with writeSync; `stream` (process.stdout or stderr for
 * 1 and 2) is made only when needed, see above.
 */
export function fdOutput(fd: number, stream: () => NodeJS.WriteStream = () => (fd === 2 ? process.stderr : process.stdout)): TextOut {
  let made: NodeJS.WriteStream | undefined;
  const real = () => {
    if (!made) {
      made = stream();
      made.on("error", () => {}); // a closed pipe: what cannot be written is dropped
    }
    return made;
  };
  return {
    write(text: string) {
      if (made) return made.write(text); // once queued there, keep the order
      const bytes = Buffer.from(text);
      let done = 0;
      try {
        while (done < bytes.length) done += writeSync(fd, bytes, done);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN" || code === "EWOULDBLOCK") return real().write(bytes.subarray(done));
        // EPIPE and the like: nobody reads any more.
      }
      return true;
    },
    get isTTY() {
      return real().isTTY;
    },
    get columns() {
      return real().columns;
    },
    get rows() {
      return real().rows;
    },
  };
}
