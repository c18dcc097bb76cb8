import { describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.js';
import type { TestApp } from '../setup/app.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import type { FakeUpstream } from '../setup/fake-upstream.js';

let t: TestApp;
let upstream: FakeUpstream;

useAppWithUpstream({}, (app) => {
  ({ t, upstream } = app);
});

/** Resolves once some backend waits for a lock `pid` holds. */
async function waitUntilBlockedBy(pid: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const [row] = await t.deps.db.$queryRaw<{ waiting: number }[]>(
      Prisma.sql`SELECT count(*)::int AS waiting FROM pg_stat_activity
                  WHERE ${pid}::int = ANY(pg_blocking_pids(pid))`,
    );
    if ((row?.waiting ?? 0) > 0) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`nothing waited for backend ${pid}`);
}

describe('cancelling a run while its worker writes', () => {
  it('does not deadlock with the write that holds the run and adds a message to the thread', async () => {
    const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
    const thread = await t.openai.beta.threads.create({
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    upstream.script({ text: ['partial '], hang: true });
    const requestsBefore = upstream.requests.length;
    const run = await t.openai.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
    await upstream.waitForRequest(requestsBefore + 1);

    // What the worker's output statement does, in its order: lock the run's row, then insert the
    // answer's message, whose foreign key check share-locks the thread. The cancel arrives in
    // between: it locks the thread, then waits for the run's row.
    let cancel: Promise<unknown> | undefined;
    await t.deps.db.$transaction(
      async (tx) => {
        const [{ pid } = { pid: 0 }] = await tx.$queryRaw<{ pid: number }[]>(
          Prisma.sql`SELECT pg_backend_pid() AS pid`,
        );
        await tx.$executeRaw(Prisma.sql`UPDATE runs SET metadata = metadata WHERE id = ${run.id}`);
        cancel = t.openai.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
        cancel.catch(() => undefined);
        await waitUntilBlockedBy(pid);
        await tx.$queryRaw(
          Prisma.sql`SELECT id FROM threads WHERE id = ${thread.id} FOR KEY SHARE`,
        );
      },
      { timeout: 15_000 },
    );

    // Before the fix PostgreSQL found a deadlock here and aborted the cancel: a 500.
    const cancelled = (await cancel) as { id: string; status: string };
    expect(cancelled.id).toBe(run.id);
    expect(['cancelling', 'cancelled']).toContain(cancelled.status);
    const ended = await t.openai.beta.threads.runs.poll(run.id, { thread_id: thread.id });
    expect(ended.status).toBe('cancelled');
  });
});
