// PostgreSQL text and jsonb cannot hold U+0000, and UTF-8 cannot encode a lone surrogate; JSON
// may carry both (`\u0000`, `\ud800`) and a URL `%00`. Such input used to fail inside the
// database as a 500, so it is refused before anything runs, naming the field. One check for
// both interfaces: GraphQL names the argument path, the REST shim the field as the caller sent
// it. It imports nothing, so the REST shim may use it without reaching into the server.

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether PostgreSQL can store `text`. */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * The path (keys and indexes) of the first string in `value`, object keys included, that cannot
 * be stored; null when all can. Only arrays and plain objects are searched: an upload's stream
 * is not text.
 */
export function findUnstorableText(value: unknown): (string | number)[] | null {
  if (typeof value === 'string') {
    return isStorableText(value) ? null : [];
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnstorableText(item);
      if (found) {
        return [index, ...found];
      }
    }
    return null;
  }
  if (value !== null && typeof value === 'object' && isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const found = isStorableText(key) ? findUnstorableText(item) : [];
      if (found) {
        return [key, ...found];
      }
    }
  }
  return null;
}

/** What a refusal says, whichever interface words the param. */
export function unstorableTextMessage(param: string): string {
  return `Invalid '${param}': text may not contain NUL characters (U+0000) or unpaired surrogates.`;
}
