import { describe, expect, it } from 'vitest';
import { chatMessageTokens, countTokens } from '../../src/services/runs/engine/token-count.js';
import { apiError } from '../setup/api-error.js';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import { expectResponsesSpec } from '../setup/openapi.js';

/**
 * A 2,048-token window: with the default completion reserve capped at half of it, a prompt
 * may take (2048 − 1024) × 0.95 = 972 tokens by our count.
 */
let app: AppWithUpstream;
useAppWithUpstream({ env: { LLM_CONTEXT_WINDOW: '2048' } }, (started) => {
  app = started;
});

/** A message of about `tokens` tokens, numbered so its place shows. */
function numbered(index: number, tokens: number): string {
  return `message ${index}:${' word'.repeat(tokens)}`;
}

/** Twelve turns of ~100 tokens: over the window together, each well within it. */
const LONG_INPUT = Array.from({ length: 12 }, (_, index) => ({
  role: index % 2 === 0 ? ('user' as const) : ('assistant' as const),
  content: numbered(index, 100),
}));

describe('include[]', () => {
  it('accepts the values it cannot honour and changes nothing for them', async () => {
    const { openai } = app.t;
    app.upstream.script({ text: 'same' }, { text: 'same' });
    const before = app.upstream.requests.length;
    const plain = await openai.responses.create({ model: 'gpt-test', input: 'Hi' });
    const ignored = await openai.responses.create({
      model: 'gpt-test',
      input: 'Hi',
      include: [
        'web_search_call.results',
        'web_search_call.action.sources',
        'message.input_image.image_url',
        'computer_call_output.output.image_url',
        'reasoning.encrypted_content',
        'message.output_text.logprobs',
      ],
    });
    expectResponsesSpec('Response', ignored);
    expect(ignored.status).toBe('completed');
    expect(ignored.output_text).toBe(plain.output_text);
    const [first, second] = app.upstream.requests.slice(before).map((request) => request.body);
    expect(second).toEqual(first);
  });

  it('accepts OpenAI’s values and refuses others with OpenAI’s wording', async () => {
    const { openai } = app.t;
    app.upstream.script({ text: 'ok' });
    const accepted = await openai.responses.create({
      model: 'gpt-test',
      input: 'Hi',
      include: ['code_interpreter_call.outputs', 'message.output_text.logprobs'],
    });
    expectResponsesSpec('Response', accepted);
    expect(accepted.status).toBe('completed');

    const before = app.upstream.requests.length;
    const unknown = await apiError(
      openai.responses.create({
        model: 'gpt-test',
        input: 'Hi',
        include: ['file_search_call.results', 'file_search_call.everything' as never],
      }),
    );
    expect(unknown).toMatchObject({ status: 400, param: 'include[1]', code: 'invalid_value' });
    expect(unknown.error).toMatchObject({
      message:
        "Invalid 'include[1]': Invalid value: 'file_search_call.everything'. Supported values are: " +
        "'file_search_call.results', 'web_search_call.results', 'web_search_call.action.sources', " +
        "'message.input_image.image_url', 'computer_call_output.output.image_url', " +
        "'code_interpreter_call.outputs', 'reasoning.encrypted_content', and " +
        "'message.output_text.logprobs'.",
    });
    const notList = await apiError(
      openai.responses.create({ model: 'gpt-test', input: 'Hi', include: 'x' as never }),
    );
    expect(notList).toMatchObject({ status: 400, param: 'include' });
    const truncation = await apiError(
      openai.responses.create({ model: 'gpt-test', input: 'Hi', truncation: 'sometimes' as never }),
    );
    expect(truncation).toMatchObject({ status: 400, param: 'truncation' });
    expect(app.upstream.requests.length).toBe(before);
  });
});

describe('truncation', () => {
  it('disabled (Default): an input over the window fails the request with context_length_exceeded', async () => {
    const { openai } = app.t;
    const before = app.upstream.requests.length;
    const refused = await apiError(
      openai.responses.create({ model: 'gpt-test', input: LONG_INPUT }),
    );
    expect(refused).toMatchObject({ status: 400, param: 'input', code: 'context_length_exceeded' });
    expect(refused.error).toMatchObject({
      message:
        'Your input exceeds the context window of this model. Please adjust your input and try again.',
    });

    // Streamed: created, in_progress, then the `error` event; the response is failed.
    const stream = await openai.responses.create({
      model: 'gpt-test',
      input: LONG_INPUT,
      stream: true,
    });
    const events: { type: string }[] = [];
    for await (const event of stream) {
      expectResponsesSpec('ResponseStreamEvent', event);
      events.push(event);
    }
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'error',
    ]);
    expect(events[2]).toMatchObject({ code: 'context_length_exceeded', param: 'input' });
    const id = (events[0] as { response?: { id?: string } }).response?.id ?? '';
    const failed = await openai.responses.retrieve(id);
    expectResponsesSpec('Response', failed);
    expect(failed).toMatchObject({ status: 'failed', truncation: 'disabled' });
    expect(app.upstream.requests.length).toBe(before);
  });

  it('auto: drops the oldest items until the rest fits, the newest kept', async () => {
    app.upstream.script({ text: 'Fits now.' });
    const response = await app.t.openai.responses.create({
      model: 'gpt-test',
      input: LONG_INPUT,
      truncation: 'auto',
    });
    expectResponsesSpec('Response', response);
    expect(response).toMatchObject({ status: 'completed', truncation: 'auto' });
    const sent = (app.upstream.requests.at(-1)?.body.messages ?? []).map((m) => String(m.content));
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.length).toBeLessThan(LONG_INPUT.length);
    // A suffix of the input, in order, ending with its newest message.
    expect(sent).toEqual(LONG_INPUT.slice(-sent.length).map((item) => item.content));
    const tokens = sent.reduce(
      (sum, content, index) =>
        sum + chatMessageTokens({ role: index % 2 === 0 ? 'user' : 'assistant', content }),
      0,
    );
    expect(tokens).toBeLessThanOrEqual(972);

    // Nothing old enough to drop: the newest item alone is over the window.
    const alone = await apiError(
      app.t.openai.responses.create({
        model: 'gpt-test',
        input: numbered(0, 1_500),
        truncation: 'auto',
      }),
    );
    expect(alone).toMatchObject({ status: 400, code: 'context_length_exceeded' });
  });
});

describe('truncation on an Assistants thread (conversation: thread_…)', () => {
  it('applies to the thread’s history: disabled refuses and appends nothing, auto drops its oldest', async () => {
    const { openai } = app.t;
    const thread = await openai.beta.threads.create({ messages: LONG_INPUT });
    const before = app.upstream.requests.length;
    const refused = await apiError(
      openai.responses.create({ model: 'gpt-test', conversation: thread.id, input: 'And now?' }),
    );
    expect(refused).toMatchObject({ status: 400, param: 'input', code: 'context_length_exceeded' });
    expect(app.upstream.requests.length).toBe(before);
    const listed = async () =>
      (await openai.beta.threads.messages.list(thread.id, { order: 'asc', limit: 100 })).data;
    expect(await listed()).toHaveLength(LONG_INPUT.length);

    app.upstream.script({ text: 'Fits now.' });
    const response = await openai.responses.create({
      model: 'gpt-test',
      conversation: thread.id,
      input: 'And now?',
      truncation: 'auto',
    });
    expect(response).toMatchObject({ status: 'completed', truncation: 'auto' });
    const sent = (app.upstream.requests.at(-1)?.body.messages ?? []).map((m) => String(m.content));
    // The newest of the thread's messages, in order, then the new input.
    expect(sent.at(-1)).toBe('And now?');
    const kept = sent.slice(0, -1);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(LONG_INPUT.length);
    expect(kept).toEqual(LONG_INPUT.slice(-kept.length).map((item) => item.content));
    // The thread keeps all of its history, and gets the turn.
    const after = await listed();
    expect(after).toHaveLength(LONG_INPUT.length + 2);
    expect(after.slice(-2).map((message) => message.role)).toEqual(['user', 'assistant']);
  });

  it('counts a thread’s history in input_tokens as the model would read it', async () => {
    const { openai } = app.t;
    const messages = LONG_INPUT.slice(0, 4);
    const thread = await openai.beta.threads.create({ messages });
    const onThread = await openai.responses.inputTokens.count({
      conversation: thread.id,
      input: 'And now?',
    });
    const spelledOut = await openai.responses.inputTokens.count({
      input: [...messages, { role: 'user', content: 'And now?' }],
    });
    expect(onThread.input_tokens).toBe(spelledOut.input_tokens);
    const unknown = await apiError(
      openai.responses.inputTokens.count({ conversation: 'thread_missing', input: 'Hi' }),
    );
    expect(unknown).toMatchObject({ status: 404, param: 'conversation' });
    expect(unknown.error).toMatchObject({ message: "No thread found with id 'thread_missing'." });
  });
});

describe('POST /v1/responses/input_tokens', () => {
  it('counts what the model would read, spec-valid, with history and tools', async () => {
    const { openai } = app.t;
    const plain = await openai.responses.inputTokens.count({
      model: 'gpt-test',
      input: 'Tell me a joke.',
    });
    expectResponsesSpec('TokenCountsResource', plain);
    expect(plain).toEqual({
      object: 'response.input_tokens',
      input_tokens: chatMessageTokens({ role: 'user', content: 'Tell me a joke.' }),
    });

    // The GraphQL twin counts the same.
    const graph = await app.t.graphql<{ responseInputTokens: number }>(
      'query ($input: CountResponseInputTokensInput!) { responseInputTokens(input: $input) }',
      { input: { model: 'gpt-test', input: 'Tell me a joke.' } },
    );
    expect(graph.data?.responseInputTokens).toBe(plain.input_tokens);

    const instructed = await openai.responses.inputTokens.count({
      input: 'Tell me a joke.',
      instructions: 'Be brief.',
    });
    expect(instructed.input_tokens).toBe(
      plain.input_tokens + chatMessageTokens({ role: 'system', content: 'Be brief.' }),
    );

    app.upstream.script({ text: 'Why did the chicken cross the road?' });
    const first = await openai.responses.create({ model: 'gpt-test', input: 'Tell me a joke.' });
    const followUp = await openai.responses.inputTokens.count({
      input: 'Another.',
      previous_response_id: first.id,
    });
    expect(followUp.input_tokens).toBe(
      plain.input_tokens +
        chatMessageTokens({ role: 'assistant', content: 'Why did the chicken cross the road?' }) +
        chatMessageTokens({ role: 'user', content: 'Another.' }),
    );

    const tool = {
      type: 'function' as const,
      name: 'get_weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
      strict: false,
    };
    const withTools = await openai.responses.inputTokens.count({
      input: 'Tell me a joke.',
      tools: [tool],
    });
    expect(withTools.input_tokens).toBe(
      plain.input_tokens +
        countTokens(
          JSON.stringify([
            {
              type: 'function',
              function: { name: 'get_weather', parameters: tool.parameters },
            },
          ]),
        ),
    );

    // The long input counts over the 972-token budget the create refused it for.
    const long = await openai.responses.inputTokens.count({ input: LONG_INPUT });
    expect(long.input_tokens).toBeGreaterThan(972);
  });

  it('refuses what a create would refuse', async () => {
    const { openai } = app.t;
    const missing = await apiError(
      openai.responses.inputTokens.count({ input: 'Hi', previous_response_id: 'resp_missing' }),
    );
    expect(missing).toMatchObject({ status: 404, param: 'previous_response_id' });
    const both = await apiError(
      openai.responses.inputTokens.count({
        input: 'Hi',
        previous_response_id: 'resp_x',
        conversation: 'conv_x',
      }),
    );
    expect(both).toMatchObject({ status: 400, code: 'mutually_exclusive_parameters' });
    const store = await apiError(
      openai.responses.inputTokens.count({
        input: 'Hi',
        tools: [{ type: 'file_search', vector_store_ids: ['vs_missing'] }],
      }),
    );
    expect(store).toMatchObject({ status: 404, param: 'tools[0].vector_store_ids[0]' });
    const choice = await apiError(
      openai.responses.inputTokens.count({
        input: 'Hi',
        tool_choice: { type: 'function', name: 'get_time' },
      }),
    );
    expect(choice).toMatchObject({
      status: 400,
      param: 'tool_choice',
      message: expect.stringContaining("Tool choice 'get_time' not found in 'tools' parameter."),
    });
    const unknown = await apiError(
      app.t.openai.post('/responses/input_tokens', { body: { input: 'Hi', stream: true } }),
    );
    expect(unknown).toMatchObject({ status: 400, param: 'stream', code: 'unknown_parameter' });
  });
});
