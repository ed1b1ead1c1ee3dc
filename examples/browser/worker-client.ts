/**
 * The main thread's side of the worker: one request at a time per kind,
 * cancellable. A verification is cancelled by ending its worker (the
 * library call cannot be interrupted half-way); a hash by its AbortSignal.
 */
import type { ImageHash, PageVerdict, VerifyJob, WorkerReply, WorkerRequest } from './protocol.js';

/** Thrown (as a rejection) when a request was cancelled. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

type Pending = { resolve: (r: WorkerReply) => void; reject: (e: unknown) => void; onProgress?: (r: Extract<WorkerReply, { kind: 'progress' }>) => void };

/** One worker and the requests it is working on. */
export class PageWorker {
  #worker: Worker | undefined;
  #next = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #url: URL;

  constructor(url: URL) {
    this.#url = url;
  }

  #get(): Worker {
    if (!this.#worker) {
      const w = new Worker(this.#url, { type: 'module', name: 'vmilist' });
      w.onmessage = (e: MessageEvent<WorkerReply>) => {
        const p = this.#pending.get(e.data.id);
        if (!p) return;
        if (e.data.kind === 'progress') return p.onProgress?.(e.data);
        this.#pending.delete(e.data.id);
        p.resolve(e.data);
      };
      w.onerror = (e) => {
        e.preventDefault();
        this.#failAll(new Error(`the page's worker failed: ${e.message}`));
      };
      this.#worker = w;
    }
    return this.#worker;
  }

  #failAll(err: unknown): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    this.#worker?.terminate();
    this.#worker = undefined;
  }

  #send(req: WorkerRequest, pending: Pending, transfer: Transferable[] = []): void {
    this.#pending.set(req.id, pending);
    this.#get().postMessage(req, transfer);
  }

  /** Verifies in the worker. */
  verify(job: Omit<VerifyJob, 'kind' | 'id'>): Promise<PageVerdict> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#send({ ...job, kind: 'verify', id }, { resolve: (r) => (r.kind === 'verdict' ? resolve(r.verdict) : reject(new Error(r.kind))), reject });
    });
  }

  /** Hashes `file` in the worker; `cancel()` of the returned handle stops it. */
  hash(file: Blob, onProgress: (bytes: number, total: number, millis: number) => void): { done: Promise<ImageHash>; cancel: () => void } {
    const id = this.#next++;
    const done = new Promise<ImageHash>((resolve, reject) => {
      this.#send(
        { kind: 'hash', id, file },
        {
          resolve: (r) => {
            if (r.kind === 'hashed') resolve(r.hash);
            else if (r.kind === 'failed') reject(r.cancelled ? new Cancelled() : new Error(r.message));
          },
          reject,
          onProgress: (p) => onProgress(p.bytes, p.total, p.millis),
        },
      );
    });
    return { done, cancel: () => this.#worker?.postMessage({ kind: 'cancel', id } satisfies WorkerRequest) };
  }

  /** Ends the worker and every request it was working on (they reject with {@link Cancelled}). */
  cancelAll(): void {
    // an idle worker is kept: starting one costs more than a verification of a small list
    if (this.#pending.size > 0) this.#failAll(new Cancelled());
  }
}
