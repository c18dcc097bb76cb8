/** A PostgreSQL location: the server URL plus the schema our tables live in. */
export interface DatabaseTarget {
  /** Connection string for `pg`, without Prisma's `schema` parameter. */
  url: string;
  /** Schema for our tables (Default: `public`). pg-boss keeps its own (`<schema>_boss`). */
  schema: string;
}

/** Splits Prisma's `?schema=` convention off a DATABASE_URL. */
export function parseDatabaseUrl(databaseUrl: string): DatabaseTarget {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  return { url: url.toString(), schema };
}

/** Double-quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
