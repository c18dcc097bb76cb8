import { APIError, NotFoundError } from 'openai';
import { describe, expect, it } from 'vitest';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import { expectResponsesSpec } from '../setup/openapi.js';

let app: AppWithUpstream;
useAppWithUpstream({}, (started) => {
  app = started;
});

const weather = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
};

describe('POST /v1/responses', () => {
  it('answers a text input with the upstream’s text, spec-valid, and stores it', async () => {
    app.upstream.script({
      text: ['Hello', ' there'],
      usage: { prompt_tokens: 7, completion_tokens: 2 },
    });
    const { openai } = app.t;
    const response = await openai.responses.create({
      model: 'gpt-test',
      input: 'Say hello',
      instructions: 'Be brief.',
      temperature: 0.5,
      max_output_tokens: 100,
      metadata: { case: 'text' },
    });
    expectResponsesSpec('Response', response);
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('Hello there');
    expect(response.usage).toMatchObject({ input_tokens: 7, output_tokens: 2, total_tokens: 9 });
    expect(response.metadata).toEqual({ case: 'text' });
    const sent = app.upstream.requests.at(-1)?.body;
    expect(sent?.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hello' },
    ]);
    expect(sent?.temperature).toBe(0.5);
    expect(sent?.max_tokens).toBe(100);

    const again = await openai.responses.retrieve(response.id);
    expectResponsesSpec('Response', again);
    expect(again.output).toEqual(response.output);

    const raw = await app.t.rest(`/responses/${response.id}/input_items`);
    expect(raw.status).toBe(200);
    expectResponsesSpec('ResponseItemList', await raw.json());
    const items = await openai.responses.inputItems.list(response.id);
    expect(items.data).toMatchObject([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say hello' }] },
    ]);

    await openai.responses.delete(response.id);
    await expect(openai.responses.retrieve(response.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(openai.responses.delete(response.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('streams OpenAI’s events in order, gap-free, whose deltas add up to the final text', async () => {
    app.upstream.script({ text: ['One', ' two', ' three'] });
    const stream = app.t.openai.responses.stream({
      model: 'gpt-test',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Count' }] }],
    });
    const events: { type: string; sequence_number: number }[] = [];
    let deltas = '';
    for await (const event of stream) {
      expectResponsesSpec('ResponseStreamEvent', event);
      events.push(event);
      if (event.type === 'response.output_text.delta') {
        deltas += event.delta;
      }
    }
    const final = await stream.finalResponse();
    expectResponsesSpec('Response', final);
    expect(final.output_text).toBe('One two three');
    expect(deltas).toBe('One two three');
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const types = events
      .map((event) => event.type)
      .filter((type) => type !== 'response.output_text.delta');
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
  });

  it('continues from previous_response_id: the upstream sees the earlier turns in order', async () => {
    app.upstream.script({ text: 'Paris.' }, { text: 'About 2 million.' });
    const { openai } = app.t;
    const first = await openai.responses.create({ model: 'gpt-test', input: 'Capital of France?' });
    const second = await openai.responses.create({
      model: 'gpt-test',
      input: 'Its population?',
      previous_response_id: first.id,
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output_text).toBe('About 2 million.');
    expect(app.upstream.requests.at(-1)?.body.messages).toEqual([
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Paris.' },
      { role: 'user', content: 'Its population?' },
    ]);
  });

  it('round-trips a function call: function_call output, function_call_output input', async () => {
    app.upstream.script(
      { toolCalls: [{ id: 'call_w1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
      { text: 'It is sunny in Oslo.' },
    );
    const { openai } = app.t;
    const stream = openai.responses.stream({
      model: 'gpt-test',
      input: 'Weather in Oslo?',
      tools: [weather],
    });
    let argumentDeltas = '';
    for await (const event of stream) {
      expectResponsesSpec('ResponseStreamEvent', event);
      if (event.type === 'response.function_call_arguments.delta') {
        argumentDeltas += event.delta;
      }
    }
    const first = await stream.finalResponse();
    expect(argumentDeltas).toBe('{"city":"Oslo"}');
    expect(first.output).toMatchObject([
      {
        type: 'function_call',
        call_id: 'call_w1',
        name: 'get_weather',
        arguments: '{"city":"Oslo"}',
        status: 'completed',
      },
    ]);
    const sentTools = app.upstream.requests.at(-1)?.body.tools;
    expect(sentTools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'The weather in a city',
          parameters: weather.parameters,
          strict: true,
        },
      },
    ]);

    const second = await openai.responses.create({
      model: 'gpt-test',
      previous_response_id: first.id,
      tools: [weather],
      input: [{ type: 'function_call_output', call_id: 'call_w1', output: '{"sky":"sunny"}' }],
    });
    expectResponsesSpec('Response', second);
    expect(second.output_text).toBe('It is sunny in Oslo.');
    expect(app.upstream.requests.at(-1)?.body.messages).toEqual([
      { role: 'user', content: 'Weather in Oslo?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_w1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_w1', content: '{"sky":"sunny"}' },
    ]);
  });

  it('forces a function tool_choice names, and refuses one naming a function not in tools', async () => {
    const { openai, deps } = app.t;
    app.upstream.script({
      toolCalls: [{ id: 'call_f1', name: 'get_weather', arguments: '{"city":"Oslo"}' }],
    });
    const forced = await openai.responses.create({
      model: 'gpt-test',
      input: 'Weather in Oslo?',
      tools: [weather],
      tool_choice: { type: 'function', name: 'get_weather' },
    });
    expectResponsesSpec('Response', forced);
    expect(forced.tool_choice).toEqual({ type: 'function', name: 'get_weather' });
    expect(app.upstream.requests.at(-1)?.body.tool_choice).toEqual({
      type: 'function',
      function: { name: 'get_weather' },
    });

    const requests = app.upstream.requests.length;
    const stored = await deps.db.response.count();
    const conversation = await openai.conversations.create({});
    const refusals = [
      // Another function offered, or none at all; foreground, background or in a conversation.
      { tools: [weather], tool_choice: { type: 'function' as const, name: 'get_time' } },
      { tool_choice: { type: 'function' as const, name: 'get_time' } },
      {
        tools: [weather],
        tool_choice: { type: 'function' as const, name: 'get_time' },
        background: true,
      },
      {
        tools: [weather],
        tool_choice: { type: 'function' as const, name: 'get_time' },
        conversation: conversation.id,
      },
    ];
    for (const fields of refusals) {
      const error = await openai.responses
        .create({ model: 'gpt-test', input: 'What time is it?', ...fields })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(APIError);
      expect(error).toMatchObject({
        status: 400,
        type: 'invalid_request_error',
        param: 'tool_choice',
        error: expect.objectContaining({
          message: expect.stringContaining(
            "Tool choice 'get_time' not found in 'tools' parameter.",
          ),
        }),
      });
    }
    // `allowed_tools` is not supported: refused, not taken as `auto`.
    const allowed = await openai.responses
      .create({
        model: 'gpt-test',
        input: 'Hi',
        tools: [weather],
        tool_choice: {
          type: 'allowed_tools',
          mode: 'auto',
          tools: [{ type: 'function', name: 'get_weather' }],
        },
      })
      .catch((caught: unknown) => caught);
    expect(allowed).toMatchObject({ status: 400, param: 'tool_choice' });
    // Nothing was written or sent: no response row, no conversation item, no upstream call.
    expect(await deps.db.response.count()).toBe(stored);
    expect((await openai.conversations.items.list(conversation.id)).data).toEqual([]);
    expect(app.upstream.requests.length).toBe(requests);
  });

  it('ends incomplete at max_output_tokens', async () => {
    app.upstream.script({ text: 'Cut', finishReason: 'length' });
    const response = await app.t.openai.responses.create({
      model: 'gpt-test',
      input: 'Long',
      max_output_tokens: 16,
    });
    expectResponsesSpec('Response', response);
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });

  it('fails with the upstream’s error in OpenAI’s shape', async () => {
    app.upstream.script({ status: 400, error: { message: 'model not found' } });
    const response = await app.t.openai.responses.create({ model: 'nope', input: 'Hi' });
    expectResponsesSpec('Response', response);
    expect(response.status).toBe('failed');
    expect(response.error).toEqual({ code: 'invalid_prompt', message: 'model not found' });
  });

  it('serves store: false to its request only', async () => {
    app.upstream.script({ text: 'Ephemeral' });
    const { openai } = app.t;
    const response = await openai.responses.create({
      model: 'gpt-test',
      input: 'Hi',
      store: false,
    });
    expect(response).toMatchObject({ store: false });
    expect(response.output_text).toBe('Ephemeral');
    await expect(openai.responses.retrieve(response.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(openai.responses.inputItems.list(response.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      openai.responses.create({
        model: 'gpt-test',
        input: 'Again',
        previous_response_id: response.id,
      }),
    ).rejects.toMatchObject({ status: 404, param: 'previous_response_id' });
  });

  it('refuses bad input with OpenAI’s error envelope', async () => {
    const { openai } = app.t;
    const requests = app.upstream.requests.length;
    await expect(
      openai.responses.create({
        model: 'gpt-test',
        input: 'Hi',
        previous_response_id: 'resp_x',
        conversation: 'conv_x',
      }),
    ).rejects.toMatchObject({ status: 400, param: 'conversation' });
    await expect(
      openai.responses.create({
        model: 'gpt-test',
        input: 'Hi',
        previous_response_id: 'resp_missing',
      }),
    ).rejects.toMatchObject({ status: 404, param: 'previous_response_id' });
    const wrongType = await openai.responses
      .create({ model: 'gpt-test', input: [{ type: 'telepathy' } as never] })
      .catch((error: unknown) => error);
    expect(wrongType).toBeInstanceOf(APIError);
    expect(wrongType).toMatchObject({ status: 400, param: 'input[0].type' });
    await expect(
      openai.responses.create({ model: 'gpt-test', input: 'Hi', temperature: 3 }),
    ).rejects.toMatchObject({ status: 400, param: 'temperature' });
    await expect(openai.responses.retrieve('resp_missing')).rejects.toBeInstanceOf(NotFoundError);
    expect(app.upstream.requests.length).toBe(requests);
  });
});

describe('background responses', () => {
  it('are polled with GET and resumed with starting_after', async () => {
    app.upstream.script({ text: ['Back', 'ground'] });
    const { openai } = app.t;
    const created = await openai.responses.create({
      model: 'gpt-test',
      input: 'Go',
      background: true,
    });
    expectResponsesSpec('Response', created);
    expect(created.status).toBe('queued');
    let response = created;
    const deadline = Date.now() + 10_000;
    while (response.status === 'queued' || response.status === 'in_progress') {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 20));
      response = await openai.responses.retrieve(created.id);
    }
    expect(response.output_text).toBe('Background');

    const all: { type: string; sequence_number: number }[] = [];
    for await (const event of await openai.responses.retrieve(created.id, { stream: true })) {
      expectResponsesSpec('ResponseStreamEvent', event);
      all.push(event);
    }
    expect(all.map((event) => event.sequence_number)).toEqual(all.map((_, index) => index));
    expect(all.slice(0, 2).map((event) => event.type)).toEqual([
      'response.created',
      'response.queued',
    ]);
    expect(all.at(-1)?.type).toBe('response.completed');

    const rest: number[] = [];
    for await (const event of await openai.responses.retrieve(created.id, {
      stream: true,
      starting_after: 3,
    })) {
      rest.push(event.sequence_number);
    }
    expect(rest).toEqual(all.slice(4).map((event) => event.sequence_number));
  });

  it('cancel stops a background response; a foreground one cannot be cancelled', async () => {
    app.upstream.script({ text: ['Never', ' ends'], hang: true });
    const { openai } = app.t;
    const created = await openai.responses.create({
      model: 'gpt-test',
      input: 'Go',
      background: true,
    });
    await app.upstream.waitForRequest(app.upstream.requests.length + 1);
    const cancelled = await openai.responses.cancel(created.id);
    expectResponsesSpec('Response', cancelled);
    expect(cancelled.status).toBe('cancelled');
    expect((await openai.responses.retrieve(created.id)).status).toBe('cancelled');

    app.upstream.script({ text: 'Done' });
    const foreground = await openai.responses.create({ model: 'gpt-test', input: 'Hi' });
    await expect(openai.responses.cancel(foreground.id)).rejects.toMatchObject({ status: 400 });
  });
});
