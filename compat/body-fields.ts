import { RestError } from './errors.js';

/** OpenAI's 400 for a body field it does not know (a typo must not pass silently). */
export function unknownParameter(field: string): RestError {
  return new RestError(400, `Unknown parameter: '${field}'.`, {
    param: field,
    code: 'unknown_parameter',
  });
}

/** The body's fields, refusing any not `allowed`; nulls are left out, as if not sent. */
export function knownFields(
  body: Record<string, unknown>,
  allowed: readonly string[],
): Record<string, unknown> {
  for (const field of Object.keys(body)) {
    if (!allowed.includes(field)) {
      throw unknownParameter(field);
    }
  }
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));
}
