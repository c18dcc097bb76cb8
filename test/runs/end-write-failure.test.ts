import { afterEach, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.js';
import type { TestApp } from '../setup/app.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import type { FakeUpstream } from '../setup/fake-upstream.js';

/**
 * A worker whose final write of a run fails (the database refused it) gives the run up, so the
 * job's retry finishes it at once. Before, the run kept this execution's fresh heartbeat and
 * waited for it to go stale (RUN_STALE_AFTER_MS, 15 s by default) stuck in `cancelling` or
 * `in_progress`. The staleness window here is far longer than the test may take, so only the
 * retry can be what ends these runs.
 */
let t: TestApp;
let upstream: FakeUpstream;

useAppWithUpstream({ env: { RUN_STALE_AFTER_MS: '600000' } }, (app) => {
  ({ t, upstream } = app);
});
afterEach(async () => {
  await t.deps.db.$executeRawUnsafe('DROP TRIGGER IF EXISTS fail_first_end ON runs');
  await t.deps.db.$executeRawUnsafe('DROP FUNCTION IF EXISTS fail_first_end()');
  await t.deps.db.$executeRawUnsafe('DROP SEQUENCE IF EXISTS end_attempts');
});

/**
 * The first UPDATE that moves a run to `status` fails in PostgreSQL, as a lost connection or a
 * failover would fail it; the later ones pass. A sequence counts the attempts (it is not rolled
 * back with the failed statement).
 */
async function failFirstEndWrite(status: string): Promise<void> {
  const db = t.deps.db;
  await db.$executeRawUnsafe('CREATE SEQUENCE end_attempts');
  await db.$executeRawUnsafe(`
    CREATE FUNCTION fail_first_end() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval('end_attempts') = 1 THEN
        RAISE EXCEPTION 'injected failure of the run''s end write';
      END IF;
      RETURN NEW;
    END $$`);
  await db.$executeRawUnsafe(`
    CREATE TRIGGER fail_first_end BEFORE UPDATE ON runs FOR EACH ROW
    WHEN (NEW.status = '${status}' AND OLD.status <> NEW.status)
    EXECUTE FUNCTION fail_first_end()`);
}

async function endAttempts(): Promise<number> {
  const [row] = await t.deps.db.$queryRaw<{ attempts: bigint }[]>(
    Prisma.sql`SELECT last_value AS attempts FROM end_attempts`,
  );
  return Number(row?.attempts ?? 0);
}

async function newThread() {
  const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
  const thread = await t.openai.beta.threads.create({
    messages: [{ role: 'user', content: 'Say hello' }],
  });
  return { assistantId: assistant.id, threadId: thread.id };
}

describe('a run whose end write fails', () => {
  it('is cancelled by the retry at once when the cancel could not be written', async () => {
    const { assistantId, threadId } = await newThread();
    upstream.script({ text: ['partial '], hang: true });
    const requestsBefore = upstream.requests.length;
    const run = await t.openai.beta.threads.runs.create(threadId, { assistant_id: assistantId });
    const hung = await upstream.waitForRequest(requestsBefore + 1);
    await failFirstEndWrite('cancelled');

    await t.openai.beta.threads.runs.cancel(run.id, { thread_id: threadId });
    const ended = await t.openai.beta.threads.runs.poll(run.id, { thread_id: threadId });

    expect(ended.status).toBe('cancelled');
    expect(ended.cancelled_at).not.toBeNull();
    expect(await hung.aborted).toBe(true);
    // The first write really failed, and a second one ended the run.
    expect(await endAttempts()).toBe(2);
    // The thread is free again.
    await t.openai.beta.threads.messages.create(threadId, { role: 'user', content: 'Next' });
  });

  it('is taken over by the retry, answering once, when the completion could not be written', async () => {
    const { assistantId, threadId } = await newThread();
    upstream.script({ text: 'First answer, lost.' }, { text: 'Second answer.' });
    const requestsBefore = upstream.requests.length;
    await failFirstEndWrite('completed');

    const run = await t.openai.beta.threads.runs.createAndPoll(threadId, {
      assistant_id: assistantId,
    });

    expect(run.status).toBe('completed');
    expect(await endAttempts()).toBe(2);
    expect(upstream.requests.length - requestsBefore).toBe(2);
    const messages = await t.openai.beta.threads.messages.list(threadId, { order: 'asc' });
    expect(
      messages.data.map((message) => [
        message.role,
        message.content.map((part) => (part.type === 'text' ? part.text.value : part.type)),
      ]),
    ).toEqual([
      ['user', ['Say hello']],
      ['assistant', ['Second answer.']],
    ]);
    const steps = await t.openai.beta.threads.runs.steps.list(run.id, { thread_id: threadId });
    expect(steps.data.map((step) => step.status)).toEqual(['completed']);
  });
});
