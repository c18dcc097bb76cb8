import type { IncomingMessage, ServerResponse } from 'node:http';
import { RestError } from './errors.js';

/** Largest JSON body accepted (instructions alone may be 256,000 characters). */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

/**
 * Deepest nesting of objects and arrays accepted in a JSON body, the body itself being level 1.
 * OpenAI's own requests stay far below it (a function's JSON Schema is the deepest part), and
 * the recursive steps after parsing (key renaming, validation, the database's JSON parser,
 * which stops at 128) are safe within it; deeper bodies overflowed the stack as 500s.
 */
export const MAX_JSON_DEPTH = 100;

/** The top-level field under which `body` nests deeper than MAX_JSON_DEPTH; null if none. */
function tooDeepField(body: Record<string, unknown>): string | null {
  // Iterative, so that no depth of input can overflow the stack here.
  const pending: { value: unknown; depth: number; field: string }[] = Object.entries(body).map(
    ([field, value]) => ({ value, depth: 2, field }),
  );
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, depth, field } = next;
    if (value === null || typeof value !== 'object') {
      continue;
    }
    if (depth > MAX_JSON_DEPTH) {
      return field;
    }
    for (const inner of Object.values(value)) {
      pending.push({ value: inner, depth: depth + 1, field });
    }
  }
  return null;
}

const MALFORMED_JSON =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";

/** Reads a JSON object body. An empty body is `{}` (the SDK sends none on cancel). */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_JSON_BYTES) {
      throw new RestError(413, `Request body too large: the limit is ${MAX_JSON_BYTES} bytes.`);
    }
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
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
  const deepField = tooDeepField(body);
  if (deepField !== null) {
    throw new RestError(
      400,
      `Invalid '${deepField}': JSON nested deeper than ${MAX_JSON_DEPTH} levels is not supported.`,
      { param: deepField, code: 'invalid_value' },
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
