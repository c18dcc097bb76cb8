import { RestError } from './errors.js';

// JSON may carry `\u0000` and unpaired surrogates (`\ud800`), and a URL `%00`; PostgreSQL text and
// jsonb cannot store U+0000 and UTF-8 cannot encode a lone surrogate, so such input used to fail
// inside the database as a 500. It is refused here, naming the field, before anything runs.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function isStorable(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/** OpenAI's param form: `metadata.key`, `messages[0].content`. */
function child(path: string, key: string | number): string {
  if (typeof key === 'number') {
    return `${path}[${key}]`;
  }
  return path === '' ? key : `${path}.${key}`;
}

/** The param of the first string (object key or value) in `value` that cannot be stored. */
function findUnstorable(value: unknown, path: string): string | null {
  if (typeof value === 'string') {
    return isStorable(value) ? null : path;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnstorable(item, child(path, index));
      if (found !== null) {
        return found;
      }
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = isStorable(key) ? findUnstorable(item, child(path, key)) : child(path, key);
      if (found !== null) {
        return found;
      }
    }
  }
  return null;
}

/** A 400 naming the field when a path parameter, query value or body string can't be stored. */
export function assertStorableText(input: Record<string, unknown>): void {
  const param = findUnstorable(input, '');
  if (param !== null) {
    throw new RestError(
      400,
      `Invalid '${param}': text may not contain NUL characters (U+0000) or unpaired surrogates.`,
      { param, code: 'invalid_value' },
    );
  }
}
