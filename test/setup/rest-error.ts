import { expect } from 'vitest';
import type { TestApp } from './app.js';
import { expectSpec } from './openapi.js';

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/**
 * A raw request to `app`'s REST shim that must fail: the response is JSON, carries a request id,
 * and its body is OpenAI's error envelope.
 */
export async function restErrorOf(
  app: TestApp,
  path: string,
  init: Parameters<TestApp['rest']>[1] = {},
): Promise<{ status: number; body: ErrorBody }> {
  const response = await app.rest(path, init);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('x-request-id')).toMatch(/^req_[A-Za-z0-9]{24}$/);
  const body: unknown = await response.json();
  expectSpec('ErrorResponse', body);
  return { status: response.status, body: body as ErrorBody };
}

/** A JSON POST body for `TestApp.rest`. */
export const jsonPost = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
