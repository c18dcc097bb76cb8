import type { Readable } from 'node:stream';

/** What `put` reads: a Node stream, a web stream or any async iterable of bytes. */
export type BlobBody = Readable | AsyncIterable<Uint8Array>;

export interface PutOptions {
  /**
   * Refuse bodies longer than this many bytes: reading stops as soon as the body passes it, the
   * partial object is removed and `put` rejects with `BlobTooLargeError`. (Default: no limit.)
   */
  maxBytes?: number;
  /** Kept with the object where the backend can (S3 `Content-Type`); informational only. */
  contentType?: string;
}

/**
 * Where file bytes live: local disk or an S3-compatible bucket. Keys are server-made paths of
 * `[A-Za-z0-9._-]` segments joined by `/` (see `assertBlobKey`). Bodies are streamed both
 * ways; an object is visible to readers only once it is complete.
 */
export interface BlobStorage {
  /** `local` or `s3`, for logs. */
  readonly kind: 'local' | 's3';
  /** Streams `body` into `key` (replacing any object there); resolves with the bytes stored. */
  put(key: string, body: BlobBody, options?: PutOptions): Promise<{ bytes: number }>;
  /** A stream of the object's bytes; rejects with `BlobNotFoundError` when there is none. */
  get(key: string): Promise<Readable>;
  /** The object's size, or null when there is none. */
  head(key: string): Promise<{ bytes: number } | null>;
  /** Removes the object. Idempotent: removing a missing object succeeds. */
  delete(key: string): Promise<void>;
  /** Releases connections; the storage is unusable afterwards. */
  close(): Promise<void>;
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Keys become file paths on disk: refuse anything that could escape the storage root. */
export function assertBlobKey(key: string): void {
  const segments = key.split('/');
  if (key.length > 512 || !segments.every((segment) => SEGMENT.test(segment))) {
    throw new Error(`Invalid blob key '${key}'`);
  }
}
