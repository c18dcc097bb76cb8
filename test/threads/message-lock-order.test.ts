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

describe('adding a message while a run is being created', () => {
  it('waits for the thread and sees the run that transaction committed', async () => {
    const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
    const thread = await t.openai.beta.threads.create({
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    upstream.script({ text: 'hello' });
    const run = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
    });
    expect(run.status).toBe('completed');

    // What creating a run does, in its order: lock the thread, then make a run active. The
    // message arrives in between and waits for the lock; once it has it, it must see the run
    // (a check that read from before the wait would miss it and add the message).
    let added: Promise<unknown> | undefined;
    await t.deps.db.$transaction(
      async (tx) => {
        const [{ pid } = { pid: 0 }] = await tx.$queryRaw<{ pid: number }[]>(
          Prisma.sql`SELECT pg_backend_pid() AS pid`,
        );
        await tx.$queryRaw(
          Prisma.sql`SELECT id FROM threads WHERE id = ${thread.id} FOR NO KEY UPDATE`,
        );
        added = t.openai.beta.threads.messages.create(thread.id, { role: 'user', content: 'hi' });
        added.catch(() => undefined);
        await waitUntilBlockedBy(pid);
        await tx.$executeRaw(Prisma.sql`UPDATE runs SET status = 'queued' WHERE id = ${run.id}`);
      },
      { timeout: 15_000 },
    );

    await expect(added).rejects.toMatchObject({
      status: 400,
      message: `400 Can't add messages to ${thread.id} while a run ${run.id} is active.`,
    });
    const messages = await t.openai.beta.threads.messages.list(thread.id);
    expect(messages.data.map((message) => message.role)).toEqual(['assistant', 'user']);
    await t.deps.db.$executeRaw(
      Prisma.sql`UPDATE runs SET status = 'completed' WHERE id = ${run.id}`,
    );
  });
});
