/**
 * The value of a top-level string field in JSON text that may still be arriving, e.g. the `code`
 * of a code_interpreter call while the model streams its arguments. Only what is certain is
 * returned: an escape sequence cut off at the end is left for the next piece.
 */
export function partialStringField(json: string, field: string): string {
  const key = new RegExp(`"${field}"\\s*:\\s*"`).exec(json);
  if (!key) {
    return '';
  }
  let out = '';
  let index = key.index + key[0].length;
  while (index < json.length) {
    const char = json[index];
    if (char === '"') {
      break;
    }
    if (char !== '\\') {
      out += char;
      index += 1;
      continue;
    }
    const escaped = json[index + 1];
    if (escaped === undefined) {
      break;
    }
    if (escaped === 'u') {
      const hex = json.slice(index + 2, index + 6);
      if (hex.length < 4) {
        break;
      }
      const code = Number.parseInt(hex, 16);
      // A high surrogate waits for its pair, so no half character is ever emitted.
      if (code >= 0xd800 && code <= 0xdbff) {
        const low = /^\\u([0-9a-fA-F]{4})/.exec(json.slice(index + 6));
        if (!low?.[1]) {
          break;
        }
        out += String.fromCharCode(code, Number.parseInt(low[1], 16));
        index += 12;
        continue;
      }
      out += String.fromCharCode(code);
      index += 6;
      continue;
    }
    out += SIMPLE_ESCAPES[escaped] ?? escaped;
    index += 2;
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  '"': '"',
  '\\': '\\',
  '/': '/',
};

/** A string field of complete JSON arguments, or null when they are not an object with it. */
export function stringArgument(json: string, field: string): string | null {
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const value: unknown = (parsed as Record<string, unknown>)[field];
      return typeof value === 'string' ? value : null;
    }
    return null;
  } catch {
    return null;
  }
}
