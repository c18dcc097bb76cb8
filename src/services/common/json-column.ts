import type { z } from 'zod';

/** The row a JSON column was read from, to name it when its value is not what it should be. */
export interface ColumnAt {
  /** The SQL table (`runs`, `run_steps`, …). */
  table: string;
  id: string;
  /** The column as the code names it (`tools`, `stepDetails`). */
  column: string;
}

/**
 * A stored JSON value that does not have the shape the code writes: a row corrupted outside the
 * server (a manual UPDATE, a bad migration). Deliberately not an `AppError`: nothing the caller
 * sent is wrong, so GraphQL masks it and REST answers 500 `server_error`, as for any other
 * unexpected error, while the logs name the row to repair.
 */
export class CorruptRowError extends Error {
  readonly table: string;
  readonly id: string;
  readonly column: string;

  constructor(at: ColumnAt, issues: string, options: { cause?: unknown } = {}) {
    super(
      `${at.table} ${at.id} column ${at.column} does not hold what it should: ${issues}`,
      options,
    );
    // `String(error)` and the logs' `err.type` then read `CorruptRowError: runs run_… column …`.
    this.name = 'CorruptRowError';
    this.table = at.table;
    this.id = at.id;
    this.column = at.column;
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * A JSON column's value, checked against the schema of what the services store there, so a
 * corrupt row fails here, naming itself, instead of as a `TypeError` three layers away.
 */
export function parseJsonColumn<T>(schema: z.ZodType<T>, value: unknown, at: ColumnAt): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new CorruptRowError(at, describeIssues(result.error), { cause: result.error });
  }
  return result.data;
}
