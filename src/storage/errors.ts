/** The object does not exist (never stored, or deleted). */
export class BlobNotFoundError extends Error {
  override name = 'BlobNotFoundError';

  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`No stored object with key '${key}'`, options);
  }
}

/** The body passed `maxBytes`; nothing was kept. */
export class BlobTooLargeError extends Error {
  override name = 'BlobTooLargeError';

  constructor(readonly maxBytes: number) {
    super(`Body exceeds the limit of ${maxBytes} bytes`);
  }
}
