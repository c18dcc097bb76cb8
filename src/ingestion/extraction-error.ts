/** OpenAI's `last_error.code` values for a vector-store file that could not be indexed. */
export type IndexingErrorCode = 'server_error' | 'unsupported_file' | 'invalid_file';

/**
 * Why a file's text could not be extracted: the file itself is at fault (unsupported type,
 * empty, corrupt), so retrying cannot help. The message is shown to API users as `last_error`.
 */
export class ExtractionError extends Error {
  override name = 'ExtractionError';

  constructor(
    readonly code: Exclude<IndexingErrorCode, 'server_error'>,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}
