// Unwrapping `t.graphql` responses in tests: the data of one that succeeded, the error of one that
// failed.
import { expect } from 'vitest';
import type { GraphQLResponse } from './app.js';

/** The `data` of a response that must have succeeded (no errors, status 200). */
export function dataOf<T>(response: GraphQLResponse<T>): T {
  expect(response.errors).toBeUndefined();
  expect(response.status).toBe(200);
  if (!response.data) {
    throw new Error('expected data');
  }
  return response.data;
}

/** The first error of a response that must have failed. */
export function firstError(response: GraphQLResponse<unknown>) {
  const error = response.errors?.[0];
  if (!error) {
    throw new Error(`expected an error, got ${JSON.stringify(response.data)}`);
  }
  return error;
}
