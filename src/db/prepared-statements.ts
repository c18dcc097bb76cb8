import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * Named (server-side prepared) statements for the statements a process repeats. PostgreSQL
 * parses and plans an unnamed statement on every call; for the run engine's statements that
 * planning cost more PostgreSQL CPU than executing them (pg_stat_statements under the run
 * benchmark: 1.7 ms of planning against 1.5 ms of execution per run). A named statement is
 * parsed once per connection, and after five executions PostgreSQL keeps a generic plan when it
 * is no worse than a custom one.
 *
 * Which statements: a data statement (SELECT, INSERT, UPDATE, DELETE, WITH) with parameters,
 * the second time its exact text is seen, while fewer than `MAX_NAMED` texts have names. One-off
 * texts (migrations, DDL, pg-boss's multi-statement scripts) stay unnamed, and the cap bounds what
 * each connection keeps prepared when a caller builds texts with a variable shape.
 *
 * One rule follows for every statement: its result columns are listed, never a top-level `*`
 * (inside a CTE is fine). A prepared statement whose result columns change under it, as when a
 * migration adds a column while servers run, fails with "cached plan must not change result
 * type" on every connection that prepared it.
 */
const MAX_NAMED = 256;
const DATA_STATEMENT = /^\s*(select|insert|update|delete|with)\b/i;

/** Text -> its name, or null while it has been seen once; shared by every connection. */
const seen = new Map<string, string | null>();
let named = 0;

/** The name to prepare `text` under, or undefined to send it unnamed. */
export function statementName(text: string, hasValues: boolean): string | undefined {
  if (!hasValues) {
    return undefined;
  }
  const name = seen.get(text);
  if (name) {
    return name;
  }
  if (!DATA_STATEMENT.test(text)) {
    return undefined;
  }
  if (name === undefined) {
    // Remembered without a name yet; the map is bounded like the names.
    if (seen.size < 4 * MAX_NAMED) {
      seen.set(text, null);
    }
    return undefined;
  }
  if (named >= MAX_NAMED) {
    return undefined;
  }
  named += 1;
  const newName = `s_${createHash('sha1').update(text).digest('base64url')}`;
  seen.set(text, newName);
  return newName;
}

function withName(args: unknown[]): unknown[] {
  const [config, values] = args;
  if (typeof config === 'string') {
    const name = Array.isArray(values) ? statementName(config, values.length > 0) : undefined;
    return name ? [{ text: config, values, name }, ...args.slice(2)] : args;
  }
  if (config === null || typeof config !== 'object' || 'submit' in config || 'name' in config) {
    return args;
  }
  const query = config as pg.QueryConfig;
  if (typeof query.text !== 'string') {
    return args;
  }
  const params = Array.isArray(values) ? values : query.values;
  const name = statementName(query.text, Array.isArray(params) && params.length > 0);
  return name ? [{ ...query, name }, ...args.slice(1)] : args;
}

/**
 * A pg client that prepares repeated statements under a name (see above). Given to a pool as its
 * `Client`, it serves Prisma (through its driver adapter), the raw statements and pg-boss alike.
 * Not for a transaction-pooling PgBouncer, which cannot keep a connection's prepared statements:
 * `DATABASE_PREPARED_STATEMENTS=false` turns it off.
 */
export class PreparingClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // An own property over the prototype's: `query` has a dozen overloads a subclass method
    // would have to restate; every one of them ends here with its arguments unchanged but a name.
    // The prototype's `query` is looked up at each call, so whatever wraps it (a statement
    // count) sees these statements too.
    this.query = ((...args: unknown[]) =>
      Reflect.apply(pg.Client.prototype.query, this, withName(args))) as pg.Client['query'];
  }
}
