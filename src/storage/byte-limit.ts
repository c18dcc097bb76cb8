import { Transform, type TransformCallback } from 'node:stream';
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
