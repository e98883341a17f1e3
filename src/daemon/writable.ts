// Checked at start, not found out later (issue 7 item 8): a STATE_FILE or
// HEALTH_FILE in a directory that is missing or not writable used to be a
// warning at the first write, after the daemon had already paused queues it
// then could not remember. Now it is a configuration error (exit 2) before
// anything is sent.

import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * Why `path` cannot be written, or undefined if it can. With `create`, a
 * missing directory is made now (the state file's directory is made anyway
 * at its first write); failing that is the problem.
 */
export function unwritable(path: string, opts: { create?: boolean } = {}): string | undefined {
  const dir = dirname(resolve(path));
  if (opts.create) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      return `cannot create the directory ${dir} (${(e as NodeJS.ErrnoException).code ?? String(e)}); create it or choose another path`;
    }
  }
  try {
    if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `the directory ${dir} does not exist; create it or choose another path` : `cannot use the directory ${dir} (${code ?? String(e)})`;
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return `the directory ${dir} is not writable by this user; make it writable or choose another path`;
  }
  try {
    // A directory passes the access check, then fails every write and the removal at exit (issue 16 item 7).
    if (statSync(path).isDirectory()) return `${path} is a directory; name a file in it instead`;
    accessSync(path, constants.W_OK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") return `the file ${path} exists but is not writable by this user`;
  }
  return undefined;
}
