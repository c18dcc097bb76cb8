import { describe, expect, it } from 'vitest';
import type { TestApp } from '../setup/app.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import type { FakeUpstream } from '../setup/fake-upstream.js';

const FLUSH_MS = 50;

let t: TestApp;
let upstream: FakeUpstream;

useAppWithUpstream({ env: { STREAM_FLUSH_MS: String(FLUSH_MS) } }, (app) => {
  ({ t, upstream } = app);
});

/** Runs a reply; returns the run's logged message deltas and how long the pieces took to come. */
async function deltasOf(pieces: string[], gapMs: number) {
  const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
  const emitted: number[] = [];
  upstream.script({
    text: pieces,
    delayMsBetweenChunks: gapMs,
    onPiece: (index, atMs) => {
      emitted[index] = atMs;
    },
  });
  const run = await t.openai.beta.threads.createAndRunPoll(
    { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Go' }] } },
    { pollIntervalMs: 20 },
  );
  expect(run.status).toBe('completed');
  const deltas = await t.deps.db.runEvent.findMany({
    where: { runId: run.id, event: 'thread.message.delta' },
    orderBy: { seq: 'asc' },
  });
  const text = deltas
    .map((row) => (row.data as { content: { text: { value: string } }[] }).content)
    .map((content) => content.map((part) => part.text.value).join(''))
    .join('');
  const spanMs = (emitted.at(-1) ?? 0) - (emitted[0] ?? 0);
  return { count: deltas.length, text, spanMs };
}

describe('streamed text written to the event log', () => {
  it('is coalesced when pieces come faster than STREAM_FLUSH_MS: writes stay bounded', async () => {
    const pieces = Array.from({ length: 60 }, (_, index) => `p${index} `);
    const { count, text, spanMs } = await deltasOf(pieces, 2);
    expect(text).toBe(pieces.join(''));
    // A burst of 3, then one write per FLUSH_MS on average, and the last piece with the end.
    expect(count).toBeLessThanOrEqual(3 + Math.ceil(spanMs / FLUSH_MS) + 1);
    expect(count).toBeLessThan(pieces.length / 3);
  });

  it('is written piece by piece when pieces come slower than STREAM_FLUSH_MS', async () => {
    const pieces = ['a ', 'b ', 'c ', 'd ', 'e '];
    const { count, text } = await deltasOf(pieces, FLUSH_MS + 50);
    expect(text).toBe(pieces.join(''));
    // One write per piece (a stall of the whole process could still join two in one read).
    expect(count).toBeGreaterThanOrEqual(pieces.length - 1);
  });
});
