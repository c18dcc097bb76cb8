import { describe, expect, it } from 'vitest';
import type { TestApp } from '../setup/app.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import type { FakeUpstream } from '../setup/fake-upstream.js';

let t: TestApp;
let upstream: FakeUpstream;

useAppWithUpstream({}, (app) => {
  ({ t, upstream } = app);
});

interface Seen {
  event: string;
  data: Record<string, unknown>;
}

async function streamed(reply: Parameters<FakeUpstream['script']>[0]): Promise<Seen[]> {
  const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
  const thread = await t.openai.beta.threads.create({
    messages: [{ role: 'user', content: 'Say hello' }],
  });
  upstream.script(reply);
  const stream = t.openai.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  const seen: Seen[] = [];
  stream.on('event', ({ event, data }) => {
    // A copy: the SDK applies later deltas to the objects it handed out.
    seen.push({ event, data: structuredClone(data) as unknown as Record<string, unknown> });
  });
  await stream.finalRun();
  return seen;
}

function only(seen: Seen[], event: string): Record<string, unknown> {
  const found = seen.filter((item) => item.event === event);
  expect(found).toHaveLength(1);
  return found[0]?.data ?? {};
}

/**
 * The message and its step may be created, written and ended by one statement (a fast model):
 * each event must still show the object as it was at that point, as if written one by one.
 */
describe.each([
  ['all at once (one statement)', { text: ['Hel', 'lo!'] }],
  ['piece by piece', { text: ['Hel', 'lo!'], delayMsBetweenChunks: 60 }],
])('snapshots in a streamed answer written %s', (_label, reply) => {
  it('show the message and step as created, then as ended', async () => {
    const seen = await streamed({ ...reply, usage: { prompt_tokens: 3, completion_tokens: 2 } });
    for (const event of ['thread.message.created', 'thread.message.in_progress']) {
      expect(only(seen, event)).toMatchObject({
        status: 'in_progress',
        content: [],
        completed_at: null,
        incomplete_at: null,
        incomplete_details: null,
      });
    }
    for (const event of ['thread.run.step.created', 'thread.run.step.in_progress']) {
      expect(only(seen, event)).toMatchObject({
        status: 'in_progress',
        completed_at: null,
        usage: null,
      });
    }
    const completed = only(seen, 'thread.message.completed');
    expect(completed).toMatchObject({
      status: 'completed',
      content: [{ type: 'text', text: { value: 'Hello!', annotations: [] } }],
      incomplete_details: null,
    });
    expect(completed.completed_at).toEqual(expect.any(Number));
    const step = only(seen, 'thread.run.step.completed');
    expect(step).toMatchObject({
      status: 'completed',
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
    expect(only(seen, 'thread.run.completed')).toMatchObject({ status: 'completed' });
    const text = seen
      .filter((item) => item.event === 'thread.message.delta')
      .map((item) => {
        const delta = item.data.delta as { content: { text: { value: string } }[] };
        return delta.content.map((part) => part.text.value).join('');
      })
      .join('');
    expect(text).toBe('Hello!');
  });
});
