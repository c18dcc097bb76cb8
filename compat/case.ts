/**
 * OpenAI JSON is snake_case, GraphQL camelCase. Keys under these names are the caller's own data
 * (metadata keys, JSON Schemas) and are never renamed.
 */
const OPAQUE_KEYS = new Set(['metadata', 'parameters', 'schema', 'attributes']);

function camelKey(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** Deeply renames snake_case keys to camelCase, leaving opaque subtrees untouched. */
export function camelize(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(camelize);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        camelKey(key),
        OPAQUE_KEYS.has(key) ? inner : camelize(inner),
      ]),
    );
  }
  return value;
}
