import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PreparingClient } from '../../src/db/prepared-statements.js';

/** One connection, so the session's prepared statements are the ones this test made. */
let client: PreparingClient;

beforeAll(async () => {
  client = new PreparingClient({ connectionString: inject('databaseUrl') });
  await client.connect();
});
afterAll(async () => {
  await client.end();
});

async function prepared(): Promise<string[]> {
  const { rows } = await client.query<{ statement: string }>(
    'SELECT statement FROM pg_prepared_statements ORDER BY prepare_time',
  );
  return rows.map((row) => row.statement);
}

describe('the preparing pg client', () => {
  it('prepares a data statement with parameters the second time it is sent, then reuses it', async () => {
    const text = 'SELECT $1::int + 1 AS next -- prepared test 1';
    expect((await client.query(text, [1])).rows).toEqual([{ next: 2 }]);
    expect(await prepared()).not.toContain(text);

    expect((await client.query({ text, values: [2] })).rows).toEqual([{ next: 3 }]);
    expect(await prepared()).toContain(text);
    // Reused under the same name, with new values.
    expect((await client.query(text, [41])).rows).toEqual([{ next: 42 }]);
    expect((await prepared()).filter((statement) => statement === text)).toHaveLength(1);
  });

  it('leaves statements without parameters, scripts and DDL unnamed', async () => {
    const plain = 'SELECT 1 AS one -- prepared test 2';
    const script = 'SELECT 1; SELECT 2 -- prepared test 3';
    const ddl = 'CREATE TEMP TABLE IF NOT EXISTS prepared_probe (n int) -- prepared test 4';
    for (let i = 0; i < 3; i += 1) {
      await client.query(plain);
      await client.query(script);
      await client.query(ddl);
      await client.query('SET LOCAL statement_timeout = 1000 -- prepared test 5', []);
    }
    const statements = await prepared();
    expect(statements.filter((statement) => statement.includes('prepared test'))).toEqual([
      'SELECT $1::int + 1 AS next -- prepared test 1',
    ]);
  });

  it('reports a failing statement as pg does and still runs it next time', async () => {
    const text = 'SELECT 1 / $1::int AS q -- prepared test 6';
    await client.query(text, [1]);
    await expect(client.query(text, [0])).rejects.toThrow('division by zero');
    expect((await client.query(text, [1])).rows).toEqual([{ q: 1 }]);
  });

  it('leaves a plain pg client alone (DATABASE_PREPARED_STATEMENTS=false)', async () => {
    const plain = new pg.Client({ connectionString: inject('databaseUrl') });
    await plain.connect();
    try {
      const text = 'SELECT $1::int AS n -- prepared test 7';
      for (let i = 0; i < 3; i += 1) {
        await plain.query(text, [i]);
      }
      const { rows } = await plain.query('SELECT count(*)::int AS n FROM pg_prepared_statements');
      expect(rows).toEqual([{ n: 0 }]);
    } finally {
      await plain.end();
    }
  });
});
