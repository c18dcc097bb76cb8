import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobBody } from './blob-storage.js';
import { BlobTooLargeError } from './errors.js';

/**
 * Passes bytes through while counting them; fails with `BlobTooLargeError` on the first chunk
 * that takes the total past `maxBytes`, so an oversized upload stops being read at once.
 */
export class ByteLimit extends Transform {
  bytes = 0;

  constructor(private readonly maxBytes: number = Number.POSITIVE_INFINITY) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(new BlobTooLargeError(this.maxBytes));
      return;
    }
    callback(null, chunk);
  }
}

/**
 * Starts reading `body` into a `ByteLimit` at once, before the caller's first `await`, so a
 * source that fails early (a client that goes away) is never an unhandled 'error'. `failure()`
 * is the first error of the source or the limit, which explains a failed write best.
 */
export function feedThroughLimit(body: BlobBody, maxBytes?: number) {
  const limit = new ByteLimit(maxBytes);
  let failure: unknown;
  const fed = pipeline(body, limit).catch((error: unknown) => {
    failure = error;
  });
  return { limit, fed, failure: () => failure };
}
