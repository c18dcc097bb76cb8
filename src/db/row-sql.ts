import { Prisma } from '../generated/prisma/client.js';

/**
 * SQL fragments that read and snapshot whole rows in raw statements, derived from Prisma's field
 * lists so they follow the schema. Raw SQL serves the hot paths of runs: Prisma 6's query
 * compiler costs about 1 ms of CPU per model query, a raw statement about 0.3 ms, and one
 * statement can do the work of a transaction of several.
 */
export interface ModelSql {
  /** Select list giving the row exactly as Prisma returns it (camelCase keys, typed values). */
  readonly columns: Prisma.Sql;
  /**
   * The row behind `alias` as the event log stores it (the one way rows are snapshotted): a JSON
   * object without `seq`, dates as ISO strings in UTC.
   */
  snapshot(alias: string): Prisma.Sql;
}

/** The column a field is stored in: the schema maps every camelCase field to snake_case. */
export function columnOf(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** DateTime fields are the ones named `…At` (the convention `revive` in the GraphQL layer relies on too). */
function isDate(field: string): boolean {
  return /[a-z]At$/.test(field);
}

/**
 * A snapshot as the log stores it, back as the row it was: its dates (the `…At` fields) as
 * dates again. The row's own JSON columns are parsed where they are read, as any row's.
 */
export function reviveSnapshot<Row>(data: unknown): Row {
  return JSON.parse(JSON.stringify(data), (key, value: unknown) =>
    isDate(key) && typeof value === 'string' ? new Date(value) : value,
  ) as Row;
}

/** Matches `Date.prototype.toISOString()` for `timestamp(3)` columns, which hold UTC. */
const ISO_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** jsonb_build_object takes at most 100 arguments: larger rows are built in parts and merged. */
const PAIRS_PER_CALL = 40;

function modelSql(fields: Record<string, string>): ModelSql {
  const names = Object.values(fields);
  const columns = Prisma.raw(
    names
      .map((field) => {
        const column = columnOf(field);
        return column === field ? `"${column}"` : `"${column}" AS "${field}"`;
      })
      .join(', '),
  );
  const snapshotFields = names.filter((field) => field !== 'seq');
  // Built once per alias: statements on the hot path ask for the same few again and again.
  const snapshots = new Map<string, Prisma.Sql>();
  const build = (alias: string): Prisma.Sql => {
    const pairs = snapshotFields.map((field) => {
      const value = `${alias}."${columnOf(field)}"`;
      return `'${field}', ${isDate(field) ? `to_char(${value}, ${ISO_FORMAT})` : value}`;
    });
    const calls: string[] = [];
    for (let start = 0; start < pairs.length; start += PAIRS_PER_CALL) {
      calls.push(`jsonb_build_object(${pairs.slice(start, start + PAIRS_PER_CALL).join(', ')})`);
    }
    return Prisma.raw(calls.join(' || '));
  };
  return {
    columns,
    snapshot(alias) {
      let sql = snapshots.get(alias);
      if (!sql) {
        sql = build(alias);
        snapshots.set(alias, sql);
      }
      return sql;
    },
  };
}

export const assistantSql = modelSql(Prisma.AssistantScalarFieldEnum);
export const runSql = modelSql(Prisma.RunScalarFieldEnum);
export const runStepSql = modelSql(Prisma.RunStepScalarFieldEnum);
export const messageSql = modelSql(Prisma.MessageScalarFieldEnum);
export const threadSql = modelSql(Prisma.ThreadScalarFieldEnum);
