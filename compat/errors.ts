import type { GraphQLError } from 'graphql';

/** OpenAI's error envelope. All four fields are always present. */
export interface ErrorEnvelope {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An error the REST layer raises itself (bad JSON, unknown route, missing beta header). */
export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly options: { type?: string; param?: string | null; code?: string | null } = {},
  ) {
    super(message);
  }

  toEnvelope(): ErrorEnvelope {
    return {
      error: {
        message: this.message,
        type: this.options.type ?? 'invalid_request_error',
        param: this.options.param ?? null,
        code: this.options.code ?? null,
      },
    };
  }
}

/**
 * GraphQL params are camelCase dotted paths (`tools.0.function`); OpenAI's are snake_case with
 * bracketed indices (`tools[0].function`). Metadata keys stay as the caller wrote them.
 */
export function snakeParam(param: string): string {
  const parts = param.split('.');
  const metadataAt = parts.findIndex((part) => part === 'metadata' || part === 'attributes');
  return parts
    .map((part, index) => {
      if (metadataAt !== -1 && index > metadataAt) {
        return `.${part}`;
      }
      if (/^\d+$/.test(part)) {
        return `[${part}]`;
      }
      return `.${part.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}`;
    })
    .join('')
    .slice(1);
}

const VARIABLE_ERROR = /^Variable "\$(\w+)" got invalid value (.*?)(?: at "([^"]+)")?; (.*)$/s;

/**
 * Coercion errors of variables (wrong JSON types, unknown or missing fields): graphql-js words
 * them for GraphQL users; REST users get OpenAI's wording and the snake_case param.
 */
function variableError(error: GraphQLError): RestError | null {
  const match = VARIABLE_ERROR.exec(error.message);
  if (!match) {
    return null;
  }
  const [, variable = '', , at, reason = ''] = match;
  let path = at ?? variable;
  if (variable === 'input' && path.startsWith('input')) {
    path = path.slice('input'.length).replace(/^\./, '');
  }
  const unknownField = /Field "(\w+)" is not defined by type/.exec(reason);
  if (unknownField?.[1]) {
    const param = snakeParam([path, unknownField[1]].filter(Boolean).join('.'));
    return new RestError(400, `Unrecognized request argument supplied: ${param}`, {
      param,
      code: 'unknown_parameter',
    });
  }
  const missingField = /Field "(\w+)" of required type .* was not provided/.exec(reason);
  if (missingField?.[1]) {
    const param = snakeParam([path, missingField[1]].filter(Boolean).join('.'));
    return new RestError(400, `Missing required parameter: '${param}'.`, {
      param,
      code: 'missing_required_parameter',
    });
  }
  const param = path === '' ? null : snakeParam(path);
  const subject = param === null ? 'request' : `'${param}'`;
  return new RestError(400, `Invalid ${subject}: ${reason}`, { param, code: 'invalid_type' });
}

/** The first GraphQL error, as OpenAI's status and envelope. Unknown errors are 500s. */
export function fromGraphQLError(error: GraphQLError): RestError {
  const extensions = error.extensions as {
    code?: unknown;
    http?: { status?: unknown };
    type?: unknown;
    param?: unknown;
    openaiCode?: unknown;
  };
  const status = extensions.http?.status;
  if (typeof extensions.code === 'string' && typeof status === 'number') {
    const graphqlParam = typeof extensions.param === 'string' ? extensions.param : null;
    const param = graphqlParam === null ? null : snakeParam(graphqlParam);
    // Services quote the GraphQL path (`'messages.0.content'`); REST callers should read the
    // param as they sent it, the same as in `param`.
    const message =
      graphqlParam === null || param === null
        ? error.message
        : error.message.replaceAll(`'${graphqlParam}'`, `'${param}'`);
    return new RestError(status, message, {
      type: typeof extensions.type === 'string' ? extensions.type : 'invalid_request_error',
      param,
      code: typeof extensions.openaiCode === 'string' ? extensions.openaiCode : null,
    });
  }
  const coerced = variableError(error);
  if (coerced) {
    return coerced;
  }
  return new RestError(500, 'The server had an error while processing your request.', {
    type: 'server_error',
  });
}
