import { GraphQLError } from 'graphql';

/**
 * Deepest nesting of objects and arrays in a `JSON` value (metadata, a function's JSON Schema),
 * the value itself being level 1: the REST shim's limit on bodies (compat/http.ts), so a value
 * fits either way in. PostgreSQL's JSON parser stops at 128 levels, and recursive walks of the
 * value (validation, key renaming) must stay far from the stack's end.
 */
export const MAX_JSON_VALUE_DEPTH = 100;

/** Refuses `value` when it nests deeper than MAX_JSON_VALUE_DEPTH, before anything walks it. */
export function assertJsonDepth(value: unknown): void {
  // Iterative, so that no depth of input can overflow the stack here.
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.value === null || typeof next.value !== 'object') {
      continue;
    }
    if (next.depth > MAX_JSON_VALUE_DEPTH) {
      throw new GraphQLError(
        `JSON nested deeper than ${MAX_JSON_VALUE_DEPTH} levels is not supported.`,
        { extensions: { code: 'BAD_USER_INPUT', limit: MAX_JSON_VALUE_DEPTH } },
      );
    }
    for (const inner of Object.values(next.value)) {
      pending.push({ value: inner, depth: next.depth + 1 });
    }
  }
}
