import { RestError } from './errors.js';

/** Parses OpenAI's list quartet from the query string into GraphQL page variables. */
export function pageVariables(query: Record<string, unknown>) {
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined || value === '') {
      return undefined;
    }
    if (typeof value !== 'string') {
      throw new RestError(400, `Invalid '${name}': expected a single value.`, { param: name });
    }
    return value;
  };
  const limitText = text('limit');
  let limit: number | undefined;
  if (limitText !== undefined) {
    limit = Number(limitText);
    if (!Number.isInteger(limit)) {
      throw new RestError(400, `Invalid 'limit': expected an integer, got '${limitText}'.`, {
        param: 'limit',
        code: 'invalid_type',
      });
    }
  }
  const order = text('order');
  if (order !== undefined && order !== 'asc' && order !== 'desc') {
    throw new RestError(400, `Invalid 'order': expected 'asc' or 'desc', got '${order}'.`, {
      param: 'order',
      code: 'invalid_value',
    });
  }
  return { limit, order, after: text('after'), before: text('before') };
}
