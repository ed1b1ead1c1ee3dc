/**
 * The page's worker: verification and hashing run here, so the page stays
 * responsive (no long task on the main thread while a 10,000-image list is
 * verified or a 1 GB image is hashed). Bundled as worker.js beside main.js.
 */
import { hashFile } from './hash-image.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';
import { verifyJob } from './verify.js';

const scope = self as unknown as { postMessage(m: WorkerReply): void; onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null };
const running = new Map<number, AbortController>();

scope.onmessage = (e) => {
  const job = e.data;
  if (job.kind === 'cancel') {
    running.get(job.id)?.abort(new Error('cancelled'));
    return;
  }
  if (job.kind === 'verify') {
    void verifyJob(job).then((verdict) => scope.postMessage({ kind: 'verdict', id: job.id, verdict }));
    return;
  }
  const abort = new AbortController();
  running.set(job.id, abort);
  hashFile(job.file, (bytes, total, millis) => scope.postMessage({ kind: 'progress', id: job.id, bytes, total, millis }), abort.signal)
    .then(
      (hash) => scope.postMessage({ kind: 'hashed', id: job.id, hash }),
      (err: unknown) =>
        scope.postMessage({ kind: 'failed', id: job.id, message: err instanceof Error ? err.message : String(err), cancelled: abort.signal.aborted }),
    )
    .finally(() => running.delete(job.id));
};
