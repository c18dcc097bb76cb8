import type { ServerResponse } from 'node:http';
import { RestError } from './errors.js';

/**
 * Deepest nesting of objects and arrays accepted in a JSON body, the body itself being level 1.
 * OpenAI's own requests stay far below it (a function's JSON Schema is the deepest part), and
 * the recursive steps after parsing (key renaming, validation, the database's JSON parser,
 * which stops at 128) are safe within it; deeper bodies overflowed the stack as 500s.
 */
export const MAX_JSON_DEPTH = 100;

/**
 * Most values (objects, arrays, strings, numbers…) accepted in a JSON body. Parsing is cheap,
 * but each value then costs several objects on the way through key renaming and GraphQL's
 * coercion: a 3 MB body of 100,000 small messages took a second of CPU and 100 MB before
 * validation refused it. OpenAI's requests hold far fewer (32 messages, 128 tools, 500 file ids).
 */
export const MAX_JSON_VALUES = 100_000;

/** What in `body` is over a limit: nesting past MAX_JSON_DEPTH or more than MAX_JSON_VALUES. */
function overLimit(
  body: Record<string, unknown>,
): { field: string; limit: 'depth' | 'values' } | null {
  // Iterative, so that no depth of input can overflow the stack here.
  const pending: { value: unknown; depth: number; field: string }[] = Object.entries(body).map(
    ([field, value]) => ({ value, depth: 2, field }),
  );
  let values = pending.length;
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, depth, field } = next;
    if (value === null || typeof value !== 'object') {
      continue;
    }
    if (depth > MAX_JSON_DEPTH) {
      return { field, limit: 'depth' };
    }
    for (const inner of Object.values(value)) {
      values += 1;
      if (values > MAX_JSON_VALUES) {
        return { field, limit: 'values' };
      }
      pending.push({ value: inner, depth: depth + 1, field });
    }
  }
  return null;
}

const MALFORMED_JSON =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";

/**
 * Parses a JSON object body (read within the server's size limit and budget, `readBody`). An
 * empty body is `{}` (the SDK sends none on cancel).
 */
export function parseJsonBody(bytes: Buffer): Record<string, unknown> {
  const text = bytes.toString('utf8');
  if (text.trim() === '') {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RestError(400, MALFORMED_JSON);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new RestError(400, 'Invalid request body: expected a JSON object.');
  }
  const body = parsed as Record<string, unknown>;
  const over = overLimit(body);
  if (over?.limit === 'depth') {
    throw new RestError(
      400,
      `Invalid '${over.field}': JSON nested deeper than ${MAX_JSON_DEPTH} levels is not supported.`,
      { param: over.field, code: 'invalid_value' },
    );
  }
  if (over?.limit === 'values') {
    throw new RestError(
      400,
      `Invalid '${over.field}': a request body of more than ${MAX_JSON_VALUES} JSON values is not supported.`,
      { param: over.field, code: 'invalid_value' },
    );
  }
  return body;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}
