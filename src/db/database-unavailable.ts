/**
 * Whether an error means the database cannot be reached right now (restarting, shutting down,
 * the connection dropped), as opposed to a statement it refused. Such errors are transient: the
 * pools reconnect by themselves once PostgreSQL answers again.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return unavailableIn(error, 0) || isDatabaseBusy(error);
}

/**
 * Whether it is reachable but every pooled connection stayed busy past the wait's bound (the
 * pool's "timeout exceeded when trying to connect", or Prisma's P2028 when starting a
 * transaction took longer than its maxWait). Also transient, and also retryable.
 */
export function isDatabaseBusy(error: unknown): boolean {
  return messageIn(error, BUSY_MESSAGES, 0);
}

const BUSY_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Unable to start a transaction in the given time',
];

function messageIn(error: unknown, fragments: string[], depth: number): boolean {
  if (depth > 6 || error === null || typeof error !== 'object') {
    return false;
  }
  const { message, cause, meta } = error as {
    message?: unknown;
    cause?: unknown;
    meta?: { driverAdapterError?: unknown };
  };
  return (
    (typeof message === 'string' && fragments.some((fragment) => message.includes(fragment))) ||
    messageIn(meta?.driverAdapterError, fragments, depth + 1) ||
    messageIn(cause, fragments, depth + 1)
  );
}

/** Node's socket errors on the way to PostgreSQL. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL's (SQLSTATE): admin_shutdown, crash_shutdown, cannot_connect_now (starting up or
 * shutting down), plus class 08 below; Prisma's: cannot reach, timed out, connection closed,
 * no connection from the pool in time.
 */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', 'P1001', 'P1002', 'P1017', 'P2024']);

/** What pg and Prisma say when a connection is gone, where they give no code. */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'connection error and is not queryable',
  'timeout exceeded when trying to connect',
  "Can't reach database server",
  'the database system is',
];

function unavailableIn(error: unknown, depth: number): boolean {
  if (depth > 6 || error === null || typeof error !== 'object') {
    return false;
  }
  const { code, message, cause, meta, errors } = error as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    meta?: { driverAdapterError?: unknown; message?: unknown };
    errors?: unknown;
  };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || UNAVAILABLE_CODES.has(code))) {
    return true;
  }
  if (typeof code === 'string' && /^08[0-9A-Z]{3}$/.test(code)) {
    return true;
  }
  // Prisma's raw-query error (P2010) carries PostgreSQL's words in its message.
  if (
    typeof message === 'string' &&
    UNAVAILABLE_MESSAGES.some((fragment) => message.includes(fragment))
  ) {
    return true;
  }
  // Prisma's driver adapter keeps PostgreSQL's error in `meta`; AggregateError lists attempts.
  return (
    unavailableIn(meta?.driverAdapterError, depth + 1) ||
    unavailableIn(cause, depth + 1) ||
    (Array.isArray(errors) && errors.some((inner) => unavailableIn(inner, depth + 1)))
  );
}
