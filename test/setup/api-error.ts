import OpenAI, { type APIError } from 'openai';
import { expectSpec } from './openapi.js';

/** The rejection of `promise`, which must be an SDK APIError whose body is OpenAI's envelope. */
export async function apiError(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof OpenAI.APIError)) {
    throw new Error(`expected an APIError, got ${String(error)}`);
  }
  expectSpec('ErrorResponse', { error: error.error });
  return error;
}
