// Reads at most a given number of bytes of a file as UTF-8 text, so a wrong
// path (a huge log, /dev/zero) is an error instead of a hang or a full
// memory. Past the limit it throws an error with code "EFBIG".

import { closeSync, openSync, readSync } from "node:fs";

export function readFileBounded(path: string, maxBytes: number): string {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(maxBytes + 1);
    let total = 0;
    while (total < buf.length) {
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
    }
    if (total > maxBytes) throw Object.assign(new Error(`${path} is larger than ${maxBytes} bytes`), { code: "EFBIG" });
    return buf.subarray(0, total).toString("utf8");
  } finally {
    closeSync(fd);
  }
}
