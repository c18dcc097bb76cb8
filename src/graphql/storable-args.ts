import { InvalidRequestError } from '../errors.js';

// PostgreSQL text/jsonb cannot hold U+0000 and UTF-8 cannot encode a lone surrogate; without this
// check such input fails inside the database as an internal error. (The REST shim runs the same
// check itself first, so it can name the field the way REST callers sent it.)
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function unstorable(text: string): boolean {
  return text.includes('\u0000') || LONE_SURROGATE.test(text);
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function findUnstorable(value: unknown, path: string[]): string[] | null {
  if (typeof value === 'string') {
    return unstorable(value) ? path : null;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnstorable(item, [...path, String(index)]);
      if (found) {
        return found;
      }
    }
    return null;
  }
  // Only plain objects (input objects): an upload's stream is not text to check.
  if (value !== null && typeof value === 'object' && isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const found = unstorable(key) ? [...path, key] : findUnstorable(item, [...path, key]);
      if (found) {
        return found;
      }
    }
  }
  return null;
}

/** Throws a 400 naming the argument path when any string in `args` cannot be stored. */
export function assertStorableArgs(args: unknown): void {
  const path = findUnstorable(args, []);
  if (path) {
    // `input.` is the envelope every mutation uses; the param is the field inside it.
    const param = (path[0] === 'input' ? path.slice(1) : path).join('.');
    throw new InvalidRequestError(
      `Invalid '${param}': text may not contain NUL characters (U+0000) or unpaired surrogates.`,
      { param, openaiCode: 'invalid_value' },
    );
  }
}
