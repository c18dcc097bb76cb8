import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../setup/app.js';

// No worker: a run stays queued, so after its first two events its streams wait with nothing to
// say. That is where a stream used to outlive its consumer, until the run's next event.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { worker: false });
});
afterAll(async () => {
  await t.close();
});

async function queuedRun(): Promise<{ threadId: string; runId: string }> {
  const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
  const thread = await t.openai.beta.threads.create();
  const run = await t.openai.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
  return { threadId: thread.id, runId: run.id };
}

/** Waits until no stream follows anything in the app's process (false after `ms`). */
async function followersGone(ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (t.deps.runEvents.followers() > 0) {
    if (Date.now() > deadline) {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** Subscribes over graphql-ws until `count` events came, then unsubscribes. */
async function subscribeThenLeave(query: string, variables: Record<string, unknown>, count = 2) {
  const client = createClient({
    url: `ws://127.0.0.1:${t.port}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${t.apiKey}` },
    retryAttempts: 0,
  });
  try {
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const unsubscribe = client.subscribe<Record<string, { event: string }>>(
        { query, variables },
        {
          next: (result) => {
            const item = Object.values(result.data ?? {})[0];
            if (item) {
              events.push(item.event);
            }
            if (events.length === count) {
              expect(t.deps.runEvents.followers()).toBe(1);
              unsubscribe();
              resolve();
            }
          },
          error: reject,
          complete: () => reject(new Error('the stream ended by itself')),
        },
      );
    });
    return events;
  } finally {
    await client.dispose();
  }
}

describe('a stream whose consumer leaves', () => {
  it('stops following a quiet run at once when a runEvents subscription ends', async () => {
    const { threadId, runId } = await queuedRun();
    const events = await subscribeThenLeave(
      'subscription ($threadId: ID!, $runId: ID!) { runEvents(threadId: $threadId, runId: $runId) { event } }',
      { threadId, runId },
    );
    expect(events).toEqual(['thread.run.created', 'thread.run.queued']);
    expect(await followersGone()).toBe(true);
  });

  it('stops following a quiet thread at once when a threadEvents subscription ends', async () => {
    const { threadId } = await queuedRun();
    const events = await subscribeThenLeave(
      'subscription ($threadId: ID!) { threadEvents(threadId: $threadId) { event } }',
      { threadId },
    );
    expect(events).toEqual(['thread.run.created', 'thread.run.queued']);
    expect(await followersGone()).toBe(true);
  });

  it('stops following a quiet run at once when a REST stream’s client goes away', async () => {
    const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
    const thread = await t.openai.beta.threads.create();
    const controller = new AbortController();
    const response = await t.rest(`/threads/${thread.id}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assistant_id: assistant.id, stream: true }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body?.getReader();
    let received = '';
    while (!received.includes('thread.run.queued')) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) {
        throw new Error(`the stream ended early: ${received}`);
      }
      received += new TextDecoder().decode(chunk.value);
    }
    expect(t.deps.runEvents.followers()).toBe(1);
    controller.abort();
    await reader?.cancel().catch(() => undefined);
    expect(await followersGone()).toBe(true);
    // The run itself goes on: a client leaving stops its stream, not the run (OpenAI's way).
    const runs = await t.openai.beta.threads.runs.list(thread.id);
    expect(runs.data.map((run) => run.status)).toEqual(['queued']);
  });
});
