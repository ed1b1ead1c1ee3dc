/**
 * Just enough PNG reading to check screenshots: the signature, the IHDR
 * size, and the RGBA pixels of 8-bit non-interlaced truecolour images (what
 * Chromium writes). Used to compare states and colours, not as a general
 * decoder.
 */
import { inflateSync } from 'node:zlib';

/** The eight bytes every PNG starts with. */
export const PNG_SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A decoded image, RGBA, row-major. */
export interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

/** True when `bytes` starts with the PNG signature. */
export function hasPngSignature(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes an 8-bit RGB or RGBA, non-interlaced PNG; throws on anything else. */
export function decodePng(buf: Buffer): Rgba {
  if (!hasPngSignature(buf)) throw new Error('not a PNG (signature)');
  let off = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Buffer[] = [];
  while (off + 8 <= buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      colorType = data[9] ?? -1;
      if (depth !== 8 || (colorType !== 2 && colorType !== 6) || data[12] !== 0) {
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${colorType}, interlace ${data[12]}`);
      }
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  const channels = colorType === 6 ? 4 : 3;
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length < height * (stride + 1)) throw new Error('PNG data too short');
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    if (filter === undefined || filter > 4) throw new Error(`bad PNG filter ${filter} on row ${y}`);
    const line = new Uint8Array(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? (line[x - channels] ?? 0) : 0;
      const b = prev[x] ?? 0;
      const c = x >= channels ? (prev[x - channels] ?? 0) : 0;
      const v = line[x] ?? 0;
      // Uint8Array stores modulo 256, as the PNG filters want
      line[x] = filter === 0 ? v : filter === 1 ? v + a : filter === 2 ? v + b : filter === 3 ? v + ((a + b) >> 1) : v + paeth(a, b, c);
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      out[o] = line[x * channels] ?? 0;
      out[o + 1] = line[x * channels + 1] ?? 0;
      out[o + 2] = line[x * channels + 2] ?? 0;
      out[o + 3] = channels === 4 ? (line[x * channels + 3] ?? 0) : 255;
    }
    prev = line;
  }
  return { width, height, pixels: out };
}

/** Share of pixels (0..1) that differ between two images, over their common area. */
export function differingShare(a: Rgba, b: Rgba): number {
  const w = Math.min(a.width, b.width);
  const h = Math.min(a.height, b.height);
  let diff = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * a.width + x) * 4;
      const j = (y * b.width + x) * 4;
      if (a.pixels[i] !== b.pixels[j] || a.pixels[i + 1] !== b.pixels[j + 1] || a.pixels[i + 2] !== b.pixels[j + 2]) diff++;
    }
  }
  // area outside the common part counts as different
  const total = Math.max(a.width * a.height, b.width * b.height);
  return (diff + total - w * h) / total;
}

/**
 * How many pixels are green-tinted and red-tinted (not grey, white or blue):
 * the verdict band's pale background counts, so the band dominates.
 */
export function colourCounts(img: Rgba): { green: number; red: number } {
  let green = 0;
  let red = 0;
  for (let i = 0; i < img.pixels.length; i += 4) {
    const r = img.pixels[i] ?? 0;
    const g = img.pixels[i + 1] ?? 0;
    const b = img.pixels[i + 2] ?? 0;
    if (g > r + 10 && g > b + 10) green++;
    if (r > g + 15 && r > b + 15) red++;
  }
  return { green, red };
}
