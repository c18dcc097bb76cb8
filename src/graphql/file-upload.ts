/**
 * What the `Upload` scalar carries: the subset of a WHATWG `File` the server reads. Yoga's own
 * multipart parser delivers real `File`s; the streaming parser (streaming-uploads.ts) and the
 * REST shim deliver objects of their own whose `stream()` reads the request as it arrives.
 * `stream()` may be called once.
 */
export interface FileUpload {
  /** The file name the client sent. */
  readonly name: string;
  /** The content type the client declared for the part (often application/octet-stream). */
  readonly type: string;
  stream(): AsyncIterable<Uint8Array>;
}

export function isFileUpload(value: unknown): value is FileUpload {
  return (
    typeof value === 'object' &&
    value !== null &&
    'name' in value &&
    typeof value.name === 'string' &&
    'type' in value &&
    typeof value.type === 'string' &&
    'stream' in value &&
    typeof value.stream === 'function'
  );
}
