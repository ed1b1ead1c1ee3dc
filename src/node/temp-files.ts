/**
 * Temporary files private to one process: named after the host and the pid
 * (`.<name>.<host>-<pid>.<random>.<suffix>`), so a later run can tell the
 * leftovers of dead processes (a kill, a full disk) from files of live ones
 * and remove only those.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fsCode } from './fs-errors.js';

/** This host in temporary file names, so cleanup in a shared (NFS) directory only judges its own host's processes. */
const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

const TEMP = /^\.(.+)\.([0-9a-f]{8})-(\d+)\.[0-9a-f]+\.(?:tmp|lock|partial)$/;

/** The start time of process `pid` in clock ticks since boot (Linux), or undefined where /proc cannot tell. */
export async function processStartToken(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count the fields after its last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]; // field 22, starttime
  } catch {
    return undefined;
  }
}

/** Whether process `pid` runs on this host (and, given its start token, is still the same process rather than a reused pid). */
export async function processRuns(pid: number, start?: string): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (fsCode(e) !== 'EPERM') return false; // EPERM: it exists, owned by someone else
  }
  if (start === undefined) return true;
  const now = await processStartToken(pid);
  return now === undefined || now === start;
}

/** A temporary file name beside `path`, unique to this process and call; see {@link removeDeadTemps}. */
export function tempNameFor(path: string, suffix: 'tmp' | 'lock' | 'partial' = 'tmp'): string {
  return join(dirname(path), `.${basename(path)}.${HOST_TAG}-${process.pid}.${randomBytes(4).toString('hex')}.${suffix}`);
}

/**
 * Removes the temporary files in `dir` (those made by {@link tempNameFor};
 * only those for `base` when given) left by processes of this host that no
 * longer run; returns the removed paths.
 */
export async function removeDeadTemps(dir: string, base?: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const m = TEMP.exec(n);
    if (!m || m[2] !== HOST_TAG || (base !== undefined && m[1] !== base)) continue;
    const pid = Number(m[3]);
    if (pid === process.pid || (await processRuns(pid))) continue;
    await unlink(join(dir, n)).then(
      () => removed.push(join(dir, n)),
      () => undefined,
    );
  }
  return removed;
}
