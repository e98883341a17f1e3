// Draws the Home Assistant add-on's icon.png (128x128) and logo.png (250x100)
// from code, so they need no download and no image editor: stacked bars for
// Immich's job queues, the top ones lit (running, up to the cap), the rest
// dimmed (waiting), and a line for the cap. PNG written by hand (zlib's
// deflate, Bun's CRC-32); the test checks the committed files equal this
// script's output.
//
//   bun scripts/ha-icons.ts      # rewrite homeassistant/immich-job-daemon/{icon,logo}.png

import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

type RGBA = [number, number, number, number];

const BACKGROUND: RGBA = [0x1e, 0x29, 0x3b, 255]; // slate
const RUNNING: RGBA = [0x4f, 0xb0, 0xf0, 255]; // Immich-like blue
const WAITING: RGBA = [0x47, 0x55, 0x69, 255];
const CAP: RGBA = [0xf5, 0x9e, 0x0b, 255]; // amber
const CLEAR: RGBA = [0, 0, 0, 0];

class Canvas {
  readonly px: Uint8Array;
  constructor(
    readonly w: number,
    readonly h: number,
  ) {
    this.px = new Uint8Array(w * h * 4);
  }
  rect(x0: number, y0: number, x1: number, y1: number, c: RGBA, radius = 0): void {
    for (let y = Math.max(0, y0); y < Math.min(this.h, y1); y++) {
      for (let x = Math.max(0, x0); x < Math.min(this.w, x1); x++) {
        // Rounded corners: skip what lies outside the corner circles.
        const cx = x < x0 + radius ? x0 + radius : x >= x1 - radius ? x1 - radius - 1 : x;
        const cy = y < y0 + radius ? y0 + radius : y >= y1 - radius ? y1 - radius - 1 : y;
        if ((x - cx) ** 2 + (y - cy) ** 2 > radius * radius) continue;
        this.px.set(c, (y * this.w + x) * 4);
      }
    }
  }
  png(): Buffer {
    const raw = Buffer.alloc((this.w * 4 + 1) * this.h);
    for (let y = 0; y < this.h; y++) {
      raw[y * (this.w * 4 + 1)] = 0; // filter: none
      Buffer.from(this.px.buffer, y * this.w * 4, this.w * 4).copy(raw, y * (this.w * 4 + 1) + 1);
    }
    const chunk = (type: string, data: Buffer) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(Bun.hash.crc32(body) >>> 0);
      return Buffer.concat([len, body, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(this.w, 0);
    ihdr.writeUInt32BE(this.h, 4);
    ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter method, no interlace
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk("IHDR", ihdr),
      chunk("IDAT", deflateSync(raw, { level: 9 })),
      chunk("IEND", Buffer.alloc(0)),
    ]);
  }
}

/** The queues drawn in a square of side `s` at (x, y). */
function queues(c: Canvas, x: number, y: number, s: number): void {
  c.rect(x, y, x + s, y + s, BACKGROUND, Math.round(s * 0.18));
  const lengths = [0.78, 0.62, 0.7, 0.5, 0.58];
  const bar = s * 0.1;
  const gap = s * 0.06;
  const top = y + (s - (lengths.length * bar + (lengths.length - 1) * gap)) / 2;
  for (const [i, len] of lengths.entries()) {
    const y0 = Math.round(top + i * (bar + gap));
    c.rect(Math.round(x + s * 0.11), y0, Math.round(x + s * (0.11 + len)), Math.round(y0 + bar), i < 2 ? RUNNING : WAITING, Math.round(bar / 2));
  }
  // The cap: between the running two and the waiting rest.
  const capY = Math.round(top + 2 * bar + 1.5 * gap);
  c.rect(Math.round(x + s * 0.06), capY - Math.max(1, Math.round(s * 0.012)), Math.round(x + s * 0.94), capY + Math.max(1, Math.round(s * 0.012)), CAP);
}

export function icon(): Buffer {
  const c = new Canvas(128, 128);
  queues(c, 0, 0, 128);
  return c.png();
}

export function logo(): Buffer {
  const c = new Canvas(250, 100);
  c.rect(0, 0, 250, 100, CLEAR);
  queues(c, 0, 0, 100);
  // Beside it, the same queues drawn wide: the cap across them.
  const lengths = [0.9, 0.75, 0.82, 0.6, 0.7];
  for (const [i, len] of lengths.entries()) {
    const y0 = 14 + i * 16;
    c.rect(112, y0, Math.round(112 + 130 * len), y0 + 10, i < 2 ? RUNNING : WAITING, 5);
  }
  c.rect(108, 41, 246, 43, CAP);
  return c.png();
}

if (import.meta.main) {
  const dir = new URL("../homeassistant/immich-job-daemon/", import.meta.url).pathname;
  writeFileSync(`${dir}icon.png`, icon());
  writeFileSync(`${dir}logo.png`, logo());
  console.log(`wrote ${dir}icon.png and logo.png`);
}
