import OpenAI from 'openai';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { type TestApp, useTestApp } from '../setup/app.js';

const POOL_TIMEOUT_MS = 400;

/**
 * A saturated connection pool: requests wait a bounded time for a connection, then get a
 * retryable 503 (REST) or SERVICE_UNAVAILABLE (GraphQL), never a 500 and never a hang; the
 * request holding the connection finishes, and the server answers normally once it is free.
 */
describe('a saturated database pool', () => {
  let t: TestApp;
  useTestApp(
    {
      worker: false,
      env: { DATABASE_POOL_SIZE: '1', DATABASE_POOL_TIMEOUT_MS: String(POOL_TIMEOUT_MS) },
    },
    (started) => {
      t = started;
    },
  );

  it('answers 503 after the bounded wait, then serves again once a connection is free', async () => {
    const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
    const thread = await t.openai.beta.threads.create();

    // A lock held from outside makes messages.create wait inside PostgreSQL while holding the
    // server's one pooled connection.
    const outside = new pg.Client({ connectionString: t.databaseUrl.split('?')[0] });
    await outside.connect();
    const schema = new URL(t.databaseUrl).searchParams.get('schema');
    try {
      await outside.query(`SET search_path TO "${schema}"`);
      await outside.query('BEGIN');
      await outside.query('SELECT 1 FROM threads WHERE id = $1 FOR UPDATE', [thread.id]);

      const holding = t.openai.beta.threads.messages.create(thread.id, {
        role: 'user',
        content: 'held behind a lock',
      });
      // Let it reach PostgreSQL and take the connection.
      await waitUntil(async () => {
        const { rows } = await outside.query<{ waiting: string }>(
          `SELECT count(*)::text AS waiting FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND datname = current_database()
              AND $1 = ANY (pg_blocking_pids(pid))`,
          [await backendPid(outside)],
        );
        return rows[0]?.waiting === '1';
      });

      const startedAt = Date.now();
      const refused = await t.openai.beta.assistants.retrieve(assistant.id).then(
        () => null,
        (error: unknown) => error,
      );
      const waited = Date.now() - startedAt;
      expect(refused).toBeInstanceOf(OpenAI.APIError);
      const apiError = refused as InstanceType<typeof OpenAI.APIError>;
      expect(apiError.status).toBe(503);
      expect(apiError.error).toMatchObject({ type: 'server_error', param: null, code: null });
      expect((apiError.error as { message: string }).message).toMatch(
        /no database connection became free in time/,
      );
      expect(waited).toBeGreaterThanOrEqual(POOL_TIMEOUT_MS - 50);

      // A run's create is an interactive transaction: refused the same way, nothing created.
      const run = await t.openai.beta.threads.runs
        .create(thread.id, { assistant_id: assistant.id })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(run).toBeInstanceOf(OpenAI.APIError);
      expect((run as InstanceType<typeof OpenAI.APIError>).status).toBe(503);

      const overGraphql = await t.graphql<{ assistant: { id: string } | null }>(
        'query ($id: ID!) { assistant(id: $id) { id } }',
        { id: assistant.id },
      );
      expect(overGraphql.status).not.toBe(500);
      expect(overGraphql.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });

      await outside.query('COMMIT');
      const message = await holding;
      expect(message.content[0]).toMatchObject({ text: { value: 'held behind a lock' } });
    } finally {
      await outside.query('ROLLBACK').catch(() => undefined);
      await outside.end();
    }

    // Free again: everything answers, and the refused run was never created.
    await expect(t.openai.beta.assistants.retrieve(assistant.id)).resolves.toMatchObject({
      id: assistant.id,
    });
    const runs = await t.openai.beta.threads.runs.list(thread.id);
    expect(runs.data).toEqual([]);
    const messages = await t.openai.beta.threads.messages.list(thread.id);
    expect(messages.data.map((m) => m.content[0])).toEqual([
      expect.objectContaining({ text: expect.objectContaining({ value: 'held behind a lock' }) }),
    ]);
  });
});

async function backendPid(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return rows[0]?.pid ?? -1;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error('condition not reached in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
