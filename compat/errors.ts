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

/** An enum's values by its GraphQL name, in the order the schema declares them; null: none. */
export type EnumValues = (enumName: string) => readonly string[] | null;

/** OpenAI's list of values: `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'`. */
export function listOf(values: readonly string[]): string {
  const quoted = values.map((value) => `'${value}'`);
  return quoted.length <= 2
    ? quoted.join(' and ')
    : `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
}

/** What a value graphql-js printed (`"hot"`, `1.5`, `true`, `{ a: 1 }`) is, in OpenAI's words. */
function kindOf(printed: string): string {
  if (printed.startsWith('"')) {
    return 'a string';
  }
  if (printed === 'true' || printed === 'false') {
    return 'a boolean';
  }
  if (printed === 'null') {
    return 'null';
  }
  if (printed.startsWith('[')) {
    return 'an array';
  }
  if (printed.startsWith('{')) {
    return 'an object';
  }
  return /^-?\d+$/.test(printed) ? 'an integer' : 'a decimal';
}

/** graphql-js's coercion failures of a value of the wrong type, and the type each wanted. */
const WRONG_TYPE: [RegExp, string][] = [
  [/^Float cannot represent/, 'a decimal'],
  [/^Int cannot represent non-integer/, 'an integer'],
  [/^String cannot represent/, 'a string'],
  [/^Boolean cannot represent/, 'a boolean'],
  [/^ID cannot represent/, 'a string'],
  [/^Enum "\w+" cannot represent non-string/, 'a string'],
  [/^Expected type "\w+" to be an object/, 'an object'],
];

/**
 * A value graphql-js refused (`Value "system" does not exist in "MessageRole" enum.`, `Float
 * cannot represent non numeric value: "hot"`), as OpenAI words it for the caller's field: the
 * GraphQL type names mean nothing to a REST caller.
 */
function refusedValue(
  param: string | null,
  printed: string,
  reason: string,
  enumValues: EnumValues | undefined,
): RestError {
  const enumName = /^Value .* does not exist in "(\w+)" enum\./s.exec(reason)?.[1];
  if (enumName) {
    const supported = enumValues?.(enumName);
    const value = printed.startsWith('"') ? (JSON.parse(printed) as string) : printed;
    return new RestError(
      400,
      supported
        ? `Invalid value: '${value}'. Supported values are: ${listOf(supported)}.`
        : `Invalid value: '${value}'.`,
      { param, code: 'invalid_value' },
    );
  }
  const subject = param === null ? 'request' : `'${param}'`;
  if (/^Int cannot represent non 32-bit signed integer/.test(reason)) {
    return new RestError(
      400,
      `Invalid ${subject}: expected an integer from -2147483648 to 2147483647, but got ${printed} instead.`,
      { param, code: 'invalid_value' },
    );
  }
  const expected = WRONG_TYPE.find(([pattern]) => pattern.test(reason))?.[1];
  return expected
    ? new RestError(
        400,
        `Invalid type for ${subject}: expected ${expected}, but got ${kindOf(printed)} instead.`,
        { param, code: 'invalid_type' },
      )
    : new RestError(400, `Invalid ${subject}: ${reason}`, { param, code: 'invalid_type' });
}

/**
 * Coercion errors of variables (wrong JSON types, unknown or missing fields): graphql-js words
 * them for GraphQL users; REST users get OpenAI's wording and the snake_case param.
 */
function variableError(error: GraphQLError, enumValues: EnumValues | undefined): RestError | null {
  const match = VARIABLE_ERROR.exec(error.message);
  if (!match) {
    return null;
  }
  const [, variable = '', printed = '', at, reason = ''] = match;
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
  return refusedValue(path === '' ? null : snakeParam(path), printed, reason, enumValues);
}

/**
 * The first GraphQL error, as OpenAI's status and envelope. Unknown errors are 500s.
 * `enumValues` lets a refused enum value name the supported ones.
 */
export function fromGraphQLError(error: GraphQLError, enumValues?: EnumValues): RestError {
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
  const coerced = variableError(error, enumValues);
  if (coerced) {
    return coerced;
  }
  return new RestError(500, 'The server had an error while processing your request.', {
    type: 'server_error',
  });
}
