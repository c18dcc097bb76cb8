import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRaw } from '../../src/db/raw-sql.js';
import { messageSql, runSql, runStepSql, threadSql } from '../../src/db/row-sql.js';
import { Prisma } from '../../src/generated/prisma/client.js';
import { startTestApp, type TestApp } from '../setup/app.js';
import { type FakeUpstream, startFakeUpstream } from '../setup/fake-upstream.js';

let upstream: FakeUpstream;
let t: TestApp;
beforeAll(async () => {
  upstream = await startFakeUpstream();
  t = await startTestApp({ LLM_BASE_URL: upstream.url });
});
afterAll(async () => {
  await t.close();
  await upstream.close();
});

/**
 * A row as the event log stores it, in JavaScript: dates as ISO strings, BigInt sequence
 * columns dropped (they are internal ordering, never shown). The log's rows are built in SQL
 * (row-sql.ts); this is the reference they are held to.
 */
function snapshot(row: object): unknown {
  return JSON.parse(
    JSON.stringify(row, (key, value: unknown) =>
      typeof value === 'bigint' || key === 'seq' ? undefined : value,
    ),
  );
}

/**
 * The hot paths of runs write and snapshot rows in raw SQL built from Prisma's field lists. They
 * must read exactly what Prisma reads, and log exactly what `snapshot()` of Prisma's row logs,
 * for every column (nulls, JSON, arrays, floats, dates) of rows of every kind they touch.
 */
describe('raw row SQL', () => {
  it('reads and snapshots runs, steps, messages and threads exactly as Prisma and snapshot() do', async () => {
    const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
    upstream.script({ text: ['Hel', 'lo'] });
    const run = await t.openai.beta.threads.createAndRunPoll({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Hi' }], metadata: { a: 'b' } },
      temperature: 0.7,
      metadata: { k: 'v' },
    });
    expect(run.status).toBe('completed');
    const db = t.deps.db;
    const [step] = await db.runStep.findMany({ where: { runId: run.id } });
    const [message] = await db.message.findMany({ where: { runId: run.id } });
    const cases = [
      { sql: runSql, table: 'runs', row: await db.run.findUnique({ where: { id: run.id } }) },
      { sql: runStepSql, table: 'run_steps', row: step },
      { sql: messageSql, table: 'messages', row: message },
      {
        sql: threadSql,
        table: 'threads',
        row: await db.thread.findUnique({ where: { id: run.thread_id } }),
      },
    ];
    for (const { sql, table, row } of cases) {
      expect(row).toBeTruthy();
      const id = (row as { id: string }).id;
      const select = Prisma.sql`SELECT ${sql.columns} FROM ${Prisma.raw(table)} WHERE id = ${id}`;
      // Through Prisma (inside transactions) and straight on the pool (alone): the same values.
      const [read] = await db.$queryRaw<object[]>(select);
      expect(read).toEqual(row);
      const [direct] = await queryRaw<object>(db, select);
      expect(direct).toEqual(row);
      const [logged] = await db.$queryRaw<{ data: unknown }[]>`
        SELECT ${sql.snapshot('t')} AS data FROM ${Prisma.raw(table)} AS t WHERE id = ${id}`;
      expect(logged?.data).toEqual(snapshot(row as object));
    }
  });

  it('sends and reads dates as UTC straight on the pool, whatever the time zones', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const db = t.deps.db;
    const zone = process.env.TZ;
    // pg's own conversions use the process's zone (Node follows TZ at once): not ours.
    process.env.TZ = 'America/New_York';
    try {
      const [row] = await queryRaw<{ at: Date; text: string; big: bigint }>(
        db,
        Prisma.sql`SELECT ${at}::timestamp(3) AS at, ${at}::timestamp(3)::text AS text,
                          9007199254740993::int8 AS big`,
      );
      expect(row?.at).toEqual(at);
      expect(row?.text).toBe('2026-01-02 03:04:05.678');
      expect(row?.big).toBe(9007199254740993n);
    } finally {
      if (zone === undefined) {
        delete process.env.TZ;
      } else {
        process.env.TZ = zone;
      }
    }
  });
});
