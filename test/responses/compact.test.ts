import { NotFoundError } from 'openai';
import { describe, expect, it } from 'vitest';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import { expectResponsesSpec } from '../setup/openapi.js';

let app: AppWithUpstream;
useAppWithUpstream({}, (started) => {
  app = started;
});

describe('POST /v1/responses/compact', () => {
  it('has the model summarise the history; the compaction item then stands in for it', async () => {
    const { openai } = app.t;
    app.upstream.script({ text: 'Paris is the capital of France.' });
    const first = await openai.responses.create({
      model: 'gpt-test',
      input: 'What is the capital of France?',
    });

    app.upstream.script({
      text: ['The user asked about France', '; the answer was Paris.'],
      usage: { prompt_tokens: 40, completion_tokens: 9 },
    });
    const compacted = await openai.responses.compact({
      model: 'gpt-test',
      previous_response_id: first.id,
      input: [{ role: 'user', content: 'And of Italy?' }],
    });
    // The spec's CompactResource types `output` as OutputItem, which has no user message, yet
    // says (and its own example shows) that the user messages are kept: the envelope with its
    // compaction item is checked as CompactResource, the kept messages as the item resources they are.
    expectResponsesSpec('CompactResource', {
      ...compacted,
      output: compacted.output.filter((item) => item.type === 'compaction'),
    });
    for (const item of compacted.output) {
      expectResponsesSpec('ItemResource', item);
    }
    expect(compacted.object).toBe('response.compaction');
    expect(compacted.usage).toMatchObject({ input_tokens: 40, output_tokens: 9, total_tokens: 49 });

    // The upstream was shown the whole history, oldest first, then asked for a summary.
    const sent = app.upstream.requests.at(-1)?.body;
    const messages = sent?.messages as { role: string; content: string }[];
    expect(sent?.model).toBe('gpt-test');
    expect(messages.slice(0, 3)).toEqual([
      { role: 'user', content: 'What is the capital of France?' },
      { role: 'assistant', content: 'Paris is the capital of France.' },
      { role: 'user', content: 'And of Italy?' },
    ]);
    expect(messages).toHaveLength(4);
    expect(messages[3]?.role).toBe('system');
    expect(messages[3]?.content).toMatch(/summar/i);

    // Kept: the user messages, then one compaction item whose content is the summary.
    expect(compacted.output.map((item) => item.type)).toEqual(['message', 'message', 'compaction']);
    expect(compacted.output.slice(0, 2)).toMatchObject([
      { role: 'user', content: [{ type: 'input_text', text: 'What is the capital of France?' }] },
      { role: 'user', content: [{ type: 'input_text', text: 'And of Italy?' }] },
    ]);
    const compaction = compacted.output[2];
    expect(compaction).toMatchObject({
      type: 'compaction',
      id: expect.stringMatching(/^cmp_/),
      encrypted_content: 'The user asked about France; the answer was Paris.',
    });

    // Metered as a model call of the key's project.
    const rows = await app.t.deps.db.usageRecord.findMany({
      where: { kind: 'completions', inputTokens: 40, outputTokens: 9 },
    });
    expect(rows).toMatchObject([{ model: 'gpt-test', requests: 1, responseId: null }]);

    // Fed back: the model sees the summary (as context) and the new turn, not the history.
    app.upstream.script({ text: 'Rome.' });
    const next = await openai.responses.create({
      model: 'gpt-test',
      input: [
        ...compacted.output.filter((item) => item.type === 'compaction'),
        { role: 'user', content: 'And of Italy?' },
      ],
    });
    expectResponsesSpec('Response', next);
    expect(next.output_text).toBe('Rome.');
    expect(app.upstream.requests.at(-1)?.body.messages).toEqual([
      {
        role: 'system',
        content:
          'Summary of the earlier conversation:\n\nThe user asked about France; the answer was Paris.',
      },
      { role: 'user', content: 'And of Italy?' },
    ]);
    const items = await openai.responses.inputItems.list(next.id, { order: 'asc' });
    expect(items.data[0]).toMatchObject({
      type: 'compaction',
      encrypted_content: 'The user asked about France; the answer was Paris.',
    });
  });

  it('refuses a missing model or an unknown previous response without calling the model', async () => {
    const { openai } = app.t;
    const requests = app.upstream.requests.length;
    const missing = await app.t.rest('/responses/compact', {
      method: 'POST',
      body: JSON.stringify({ input: 'Hi' }),
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      error: {
        message: "Missing required parameter: 'model'.",
        type: 'invalid_request_error',
        param: 'model',
        code: 'missing_required_parameter',
      },
    });
    const unknown = await openai.responses
      .compact({ model: 'gpt-test', previous_response_id: 'resp_missing' })
      .catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(unknown).toMatchObject({
      status: 404,
      param: 'previous_response_id',
      error: {
        message: "Previous response with id 'resp_missing' not found.",
        type: 'invalid_request_error',
      },
    });
    await expect(
      openai.responses.compact({ model: 'gpt-test', input: 'Hi', store: true } as never),
    ).rejects.toMatchObject({ status: 400, param: 'store' });
    expect(app.upstream.requests.length).toBe(requests);
  });

  it('answers an upstream failure with a server_error envelope, metering nothing', async () => {
    const before = await app.t.deps.db.usageRecord.count();
    app.upstream.script({ status: 400, error: { message: 'Bad upstream request.' } });
    const failed = await app.t.rest('/responses/compact', {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-test', input: 'Hi' }),
    });
    expect(failed.status).toBe(502);
    const body = (await failed.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('server_error');
    expect(body.error.message).toMatch(/^The model failed to compact the conversation/);
    expect(await app.t.deps.db.usageRecord.count()).toBe(before);
  });
});
