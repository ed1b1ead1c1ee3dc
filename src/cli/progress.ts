/** A progress bar on stderr, drawn only when stderr is a terminal. */
import type { CliContext } from './context.js';
import { sanitizeForTerminal } from './sanitize.js';

/** Reports progress of a long task; a no-op when not on a TTY. */
export interface Progress {
  /** Called with bytes done so far and the total when known. */
  update: (done: number, total?: number) => void;
  /** Clears the bar. */
  done: () => void;
}

/** Formats a byte count for people (binary units). */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** A progress reporter for `label`, throttled to ten redraws a second. */
export function progressReporter(ctx: CliContext, label: string): Progress {
  if (!ctx.isTTY) return { update: () => {}, done: () => {} };
  const write = ctx.progress ?? ctx.stderr;
  const shown = sanitizeForTerminal(label); // an image title is untrusted
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      drawn = true;
      const pct = total ? Math.min(100, Math.floor((done / total) * 100)) : undefined;
      const width = 24;
      const bar = pct === undefined ? '' : `[${'#'.repeat(Math.round((pct / 100) * width)).padEnd(width, '.')}] ${String(pct).padStart(3)}% `;
      write(`\r${shown} ${bar}${humanBytes(done)}${total ? ` / ${humanBytes(total)}` : ''}\u001b[K`);
    },
    done() {
      if (drawn) write('\r\u001b[K');
    },
  };
}

/** One progress bar per image of a cache run, keyed by image identifier. */
export interface ImageProgress {
  /** Download progress of `image` (its bar is made on first use). */
  update: (image: { readonly 'dc:identifier': string; readonly 'dc:title'?: unknown }, done: number, total?: number) => void;
  /** Clears the bar of image `uuid`, if it has one. */
  done: (uuid: string) => void;
}

/** Progress bars for many images, one at a time on the terminal. */
export function imageProgress(ctx: CliContext): ImageProgress {
  const bars = new Map<string, Progress>();
  return {
    update(image, done, total) {
      const id = image['dc:identifier'];
      let bar = bars.get(id);
      if (!bar) bars.set(id, (bar = progressReporter(ctx, `${id.slice(0, 8)} ${String(image['dc:title'] ?? '').slice(0, 30)}`)));
      bar.update(done, total);
    },
    done: (uuid) => bars.get(uuid)?.done(),
  };
}
