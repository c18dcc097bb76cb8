import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { type AppWithUpstream, useAppWithUpstream } from '../setup/app-with-upstream.js';
import { expectResponsesSpec } from '../setup/openapi.js';

let app: AppWithUpstream;
// Responses expire a second after they are created, and the sweep looks ten times a second.
useAppWithUpstream(
  { env: { RUN_EXPIRES_AFTER_SECONDS: '1', RUN_SWEEP_INTERVAL_MS: '100' } },
  (started) => {
    app = started;
  },
);

describe('a response past its expiry', () => {
  it('ends failed with a server_error, its stream with response.failed, its upstream call aborted', async () => {
    app.upstream.script({ text: ['Still ', 'thinking'], hang: true });
    const before = app.upstream.requests.length;
    const events: ResponseStreamEvent[] = [];
    const stream = await app.t.openai.responses.create({
      model: 'gpt-test',
      input: 'think forever',
      background: true,
      stream: true,
    });
    for await (const event of stream) {
      events.push(event);
    }
    for (const event of events) {
      expectResponsesSpec('ResponseStreamEvent', event);
    }
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const last = events.at(-1);
    expect(last?.type).toBe('response.failed');
    const error = {
      code: 'server_error',
      message: 'The response did not finish before it expired, and was stopped.',
    };
    // What the worker wrote before the expiry stopped it: on a busy machine, maybe not all of it.
    const streamed = events
      .map((event) => (event.type === 'response.output_text.delta' ? event.delta : ''))
      .join('');
    expect('Still thinking'.startsWith(streamed)).toBe(true);
    expect(last?.type === 'response.failed' && last.response).toMatchObject({
      status: 'failed',
      error,
      output_text: streamed,
    });
    expect(await app.upstream.requests[before]?.aborted).toBe(true);

    const id = events[0]?.type === 'response.created' ? events[0].response.id : '';
    const stored = await app.t.openai.responses.retrieve(id);
    expectResponsesSpec('Response', stored);
    expect(stored).toMatchObject({ status: 'failed', error });
    // Nothing more is written after the end: the worker stopped when it was told.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const replay: ResponseStreamEvent[] = [];
    for await (const event of await app.t.openai.responses.retrieve(id, {
      stream: true,
      starting_after: 0,
    })) {
      replay.push(event);
    }
    expect(replay).toEqual(events.slice(1));
  });
});
