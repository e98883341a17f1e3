// Writes a file whole or not at all: a temporary file beside it, then a
// rename over it. If either step fails, the temporary file is removed, so a
// failed rename (a read-only target, a full disk) leaves no
// `<path>.<pid>.tmp` behind (issue 7 item 8).

import { renameSync, rmSync, writeFileSync } from "node:fs";

export function writeFileAtomic(path: string, text: string, opts: { pid: number; mode?: number }): void {
  const tmp = `${path}.${opts.pid}.tmp`;
  try {
    writeFileSync(tmp, text, opts.mode === undefined ? {} : { mode: opts.mode });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
