/**
 * What the page and its worker say to each other. Everything here is
 * structured-clone safe: the worker sends a view of the verified list
 * (only what the page shows), not the library's object.
 */
import type { ExtraOptions } from './verify.js';
import type { TrustFiles } from './trust.js';

/** The file a verdict is about: a person must see which file was checked. */
export interface InputFile {
  readonly name: string;
  readonly size: number;
  /** SHA-256 of the bytes that were verified, lower-case hex. */
  readonly sha256: string;
}

/** One row of the images table. */
export interface ImageRow {
  readonly id: string;
  readonly title: string;
  readonly os: string;
  readonly arch: string;
  /** The image's VO (AppDB `ad:vo`), else the list's, else empty. */
  readonly vo: string;
  readonly size: number;
  readonly version: string;
  readonly sha512: string;
  readonly uri: string;
  readonly description: string;
}

/** The verified list as the page shows it. */
export interface ListView {
  readonly title: string;
  readonly version: string;
  readonly created: string;
  readonly expires: string;
  readonly id: string;
  readonly signer: {
    readonly dn: string;
    readonly issuer: string;
    readonly serial: string;
    readonly notBefore: string;
    readonly notAfter: string;
  };
  readonly chain: readonly string[];
  readonly digest: string;
  readonly warnings: readonly string[];
  readonly images: readonly ImageRow[];
}

/** The outcome of one verification, as shown. */
export interface PageVerdict {
  readonly ok: boolean;
  /** The instant actually used, `Z` form (empty when the instant field was unusable). */
  readonly at: string;
  readonly code?: string;
  /** The library's own message (what failed, where), made printable. */
  readonly message?: string;
  /** A sentence for people, from the code. */
  readonly sentence?: string;
  /** What the input looked like, in words, when it was not a readable signed list. */
  readonly input?: string;
  /** Things the person should know (e.g. a detached-content file that was not used). */
  readonly notes?: readonly string[];
  readonly signer?: string;
  readonly issuer?: string;
  readonly images?: number;
  /** The file (or URL) the verdict is about. */
  readonly file?: InputFile;
  readonly view?: ListView;
}

/** A verification request. */
export interface VerifyJob {
  readonly kind: 'verify';
  readonly id: number;
  readonly name: string;
  readonly message: Uint8Array;
  readonly content?: { readonly name: string; readonly bytes: Uint8Array };
  readonly trust: TrustFiles;
  readonly at?: string;
  readonly options?: ExtraOptions;
}

/** A hashing request; `file` is a Blob (a File from the picker), read in the worker. */
export interface HashJob {
  readonly kind: 'hash';
  readonly id: number;
  readonly file: Blob;
}

/** Stops the hashing job `id`. */
export interface CancelJob {
  readonly kind: 'cancel';
  readonly id: number;
}

/** Page → worker. */
export type WorkerRequest = VerifyJob | HashJob | CancelJob;

/** Which implementation hashed the file. */
export type BackendUsed = 'wasm' | 'js';

/** A finished hash. */
export interface ImageHash {
  readonly sha512: string;
  readonly size: number;
  readonly backend: BackendUsed;
  readonly millis: number;
}

/** Worker → page. */
export type WorkerReply =
  | { readonly kind: 'verdict'; readonly id: number; readonly verdict: PageVerdict }
  | { readonly kind: 'progress'; readonly id: number; readonly bytes: number; readonly total: number; readonly millis: number }
  | { readonly kind: 'hashed'; readonly id: number; readonly hash: ImageHash }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string; readonly cancelled: boolean };
