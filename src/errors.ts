/**
 * Errors the services throw. Each carries what both edges need: GraphQL turns it into an
 * `extensions.code`, REST into OpenAI's `{ error: { message, type, param, code } }` and status.
 */
export abstract class AppError extends Error {
  abstract readonly status: number;
  /** Stable machine-readable code (GraphQL `extensions.code`). */
  abstract readonly code: string;
  /** OpenAI error `type`. */
  readonly type: string = 'invalid_request_error';
  /** The offending request field, dotted (OpenAI `param`). */
  readonly param: string | null;
  /** OpenAI error `code` (snake_case) when OpenAI has one, e.g. `string_above_max_length`. */
  readonly openaiCode: string | null;

  constructor(
    message: string,
    options: { param?: string | null; openaiCode?: string | null; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.param = options.param ?? null;
    this.openaiCode = options.openaiCode ?? null;
  }
}

export class InvalidRequestError extends AppError {
  readonly status = 400;
  readonly code = 'INVALID_REQUEST';
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'NOT_FOUND';
}

/** A state conflict (a run already active). 400, as OpenAI does: the SDK retries 409s. */
export class ConflictError extends AppError {
  readonly status = 400;
  readonly code = 'CONFLICT';
}

export class AuthenticationError extends AppError {
  readonly status = 401;
  readonly code = 'UNAUTHENTICATED';
}

export class PermissionDeniedError extends AppError {
  readonly status = 403;
  readonly code = 'FORBIDDEN';
}

/** A body over a configured size (an upload over FILE_MAX_BYTES). */
export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'PAYLOAD_TOO_LARGE';
}

/**
 * The service cannot answer now (its database is unreachable: restarting, failing over). 503
 * with OpenAI's `server_error` type, which the SDKs retry with backoff.
 */
export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'SERVICE_UNAVAILABLE';
  override readonly type = 'server_error';
}

/** The upstream model failed a call made within the request (`responses/compact`): 502. */
export class UpstreamModelError extends AppError {
  readonly status = 502;
  readonly code = 'UPSTREAM_ERROR';
  override readonly type = 'server_error';
}

/**
 * Over a rate limit (`type`: `requests` or `tokens`, code `rate_limit_exceeded`) or a spent
 * budget (`insufficient_quota`): 429, as OpenAI answers both.
 */
export class RateLimitError extends AppError {
  readonly status = 429;
  readonly code = 'RATE_LIMITED';
  override readonly type: string;

  constructor(
    message: string,
    options: { type: 'requests' | 'tokens' | 'insufficient_quota'; openaiCode: string },
  ) {
    super(message, { openaiCode: options.openaiCode });
    this.type = options.type;
  }
}
