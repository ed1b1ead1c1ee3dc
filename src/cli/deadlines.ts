/** Command-line options for the time limits of image downloads (`cache`). */
import { DEFAULT_IMAGE_DEADLINES, type ImageDeadlines } from '../node/fetch.js';
import { usageError } from './context.js';
import { secondsOption } from './subscriber.js';

/** parseArgs options for download deadlines. */
export const DEADLINE_OPTIONS = {
  'min-speed': { type: 'string' },
  'speed-window': { type: 'string' },
  'download-timeout': { type: 'string' },
} as const;

/** Help text for download deadlines. */
export const DEADLINE_HELP = `  --min-speed BYTES     abandon a download slower than BYTES per second over the
                        --speed-window (default ${DEFAULT_IMAGE_DEADLINES.minBytesPerSecond}; 0: no floor)
  --speed-window SECS   window the speed is averaged over (default ${DEFAULT_IMAGE_DEADLINES.rateWindowMs / 1000})
  --download-timeout SECS  total time per image (default ${DEFAULT_IMAGE_DEADLINES.timeoutMs / 1000})
  An abandoned download counts as a failed attempt and the lock is released.`;

/** The fetch options the deadline flags ask for (defaults left to fetchImage). */
export function deadlinesOf(values: { 'min-speed'?: string; 'speed-window'?: string; 'download-timeout'?: string }): ImageDeadlines {
  const out: { minBytesPerSecond?: number; rateWindowMs?: number; timeoutMs?: number } = {};
  if (values['min-speed'] !== undefined) {
    if (!/^\d+$/.test(values['min-speed'].trim())) throw usageError(`--min-speed must be a whole number of bytes per second, not '${values['min-speed']}'`);
    out.minBytesPerSecond = Number(values['min-speed']);
  }
  if (values['speed-window'] !== undefined) out.rateWindowMs = positive('--speed-window', secondsOption('--speed-window', values['speed-window'], 0)) * 1000;
  if (values['download-timeout'] !== undefined) out.timeoutMs = positive('--download-timeout', secondsOption('--download-timeout', values['download-timeout'], 0)) * 1000;
  return out;
}

function positive(flag: string, n: number): number {
  if (n <= 0) throw usageError(`${flag} must be at least 1 second`);
  return n;
}
