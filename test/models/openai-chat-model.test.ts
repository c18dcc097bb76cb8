import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ChatEvent,
  type ChatModel,
  type ChatRequest,
  ModelError,
} from '../../src/models/chat-model.js';
import {
  createOpenAIChatModel,
  isAbortError,
  type OpenAIUpstream,
} from '../../src/models/openai-chat-model.js';
import { type FakeUpstream, startFakeUpstream } from '../setup/fake-upstream.js';

let upstream: FakeUpstream;

beforeEach(async () => {
  upstream = await startFakeUpstream();
});

afterEach(async () => {
  // Every scripted reply was asked for: no test passes on fewer upstream calls than it meant.
  expect(upstream.pending).toBe(0);
  await upstream.close();
});

function modelFor(options: Partial<OpenAIUpstream> = {}): ChatModel {
  return createOpenAIChatModel({ baseURL: upstream.url, maxRetries: 0, ...options });
}

function request(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Hello there' }],
    signal: new AbortController().signal,
    ...overrides,
  };
}

async function collect(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const collected: ChatEvent[] = [];
  for await (const event of events) {
    collected.push(event);
  }
  return collected;
}

/** The events produced before the stream failed, and the failure. */
async function collectUntilError(events: AsyncIterable<ChatEvent>) {
  const collected: ChatEvent[] = [];
  try {
    for await (const event of events) {
      collected.push(event);
    }
  } catch (error) {
    return { events: collected, error };
  }
  throw new Error(`The stream did not fail: ${JSON.stringify(collected)}`);
}

describe('streaming', () => {
  it('yields text pieces in order and ends with one done event carrying the usage', async () => {
    upstream.script({
      text: ['Hel', 'lo', ' world'],
      usage: { prompt_tokens: 9, completion_tokens: 3 },
    });
    const events = await collect(modelFor().stream(request()));
    expect(events).toEqual([
      { type: 'text', delta: 'Hel' },
      { type: 'text', delta: 'lo' },
      { type: 'text', delta: ' world' },
      {
        type: 'done',
        finishReason: 'stop',
        usage: { promptTokens: 9, completionTokens: 3, totalTokens: 12 },
      },
    ]);
  });

  it('maps two parallel tool calls to deltas with ids, names and argument pieces', async () => {
    upstream.script({
      toolCalls: [
        { id: 'call_paris', name: 'get_weather', arguments: ['{"city":', '"Paris"}'] },
        // A string goes out in 8-character pieces.
        { id: 'call_time', name: 'get_time', arguments: '{"tz":"Europe/Rome"}' },
      ],
      usage: { prompt_tokens: 20, completion_tokens: 10 },
    });
    const events = await collect(modelFor().stream(request()));
    expect(events).toEqual([
      { type: 'tool_call', index: 0, id: 'call_paris', name: 'get_weather' },
      { type: 'tool_call', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool_call', index: 0, argumentsDelta: '"Paris"}' },
      { type: 'tool_call', index: 1, id: 'call_time', name: 'get_time' },
      { type: 'tool_call', index: 1, argumentsDelta: '{"tz":"E' },
      { type: 'tool_call', index: 1, argumentsDelta: 'urope/Ro' },
      { type: 'tool_call', index: 1, argumentsDelta: 'me"}' },
      {
        type: 'done',
        finishReason: 'tool_calls',
        usage: { promptTokens: 20, completionTokens: 10, totalTokens: 30 },
      },
    ]);
  });

  it('reports a length finish, and null usage when the upstream sends none', async () => {
    upstream.script({ text: 'cut sho', finishReason: 'length', usage: null });
    const events = await collect(modelFor().stream(request()));
    expect(events.at(-1)).toEqual({ type: 'done', finishReason: 'length', usage: null });
  });
});

describe('the upstream request', () => {
  it('carries the mapped fields, the upstream model name and the key', async () => {
    upstream.script({ text: 'ok' });
    const messages: ChatRequest['messages'] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '18C' },
    ];
    const tools: ChatRequest['tools'] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const model = modelFor({ apiKey: 'sk-upstream', model: 'llama3.2' });
    await collect(
      model.stream(
        request({
          model: 'gpt-4o',
          messages,
          tools,
          toolChoice: { type: 'function', function: { name: 'get_weather' } },
          parallelToolCalls: false,
          temperature: 0.3,
          topP: 0.9,
          maxCompletionTokens: 128,
          responseFormat: { type: 'json_object' },
        }),
      ),
    );
    const [sent] = upstream.requests;
    expect(sent?.body).toEqual({
      model: 'llama3.2',
      messages,
      stream: true,
      stream_options: { include_usage: true },
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 128,
      response_format: { type: 'json_object' },
    });
    expect(sent?.headers.authorization).toBe('Bearer sk-upstream');
  });

  it('leaves out tool settings without tools, null settings, and the key when there is none', async () => {
    upstream.script({ text: 'ok' });
    await collect(
      modelFor().stream(
        request({
          tools: [],
          toolChoice: 'auto',
          parallelToolCalls: true,
          temperature: null,
          topP: null,
          maxCompletionTokens: null,
        }),
      ),
    );
    const [sent] = upstream.requests;
    expect(sent?.body).toEqual({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Hello there' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(sent?.headers.authorization).toBeUndefined();
  });

  it('sends max_completion_tokens instead when the upstream is configured for it', async () => {
    upstream.script({ text: 'ok' });
    const model = modelFor({ maxTokensParameter: 'max_completion_tokens' });
    await collect(model.stream(request({ maxCompletionTokens: 64 })));
    expect(upstream.requests[0]?.body).toMatchObject({ max_completion_tokens: 64 });
    expect(upstream.requests[0]?.body).not.toHaveProperty('max_tokens');
  });
});

describe('failures', () => {
  it('retries a 500 transparently and streams the answer of the retry', async () => {
    upstream.script(
      { status: 500, error: { message: 'upstream exploded', type: 'server_error' } },
      { text: 'recovered' },
    );
    const events = await collect(modelFor({ maxRetries: 2 }).stream(request()));
    expect(events[0]).toEqual({ type: 'text', delta: 'recovered' });
    expect(upstream.requests).toHaveLength(2);
    expect(upstream.requests[1]?.headers['x-stainless-retry-count']).toBe('1');
  });

  it('turns a 429 that outlasts the retries into rate_limit_exceeded', async () => {
    const limited = { status: 429, error: { message: 'Slow down.', type: 'requests' } };
    upstream.script(limited, limited, limited);
    const { events, error } = await collectUntilError(
      modelFor({ maxRetries: 2 }).stream(request()),
    );
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ code: 'rate_limit_exceeded', message: 'Slow down.' });
    expect(upstream.requests).toHaveLength(3);
  });

  it.each([400, 404, 422])(
    'turns a %i into invalid_prompt with the upstream message, without retrying',
    async (status) => {
      upstream.script({
        status,
        error: { message: "The model 'x' does not support tools.", type: 'x' },
      });
      const { error } = await collectUntilError(modelFor({ maxRetries: 3 }).stream(request()));
      expect(error).toBeInstanceOf(ModelError);
      expect(error).toMatchObject({
        code: 'invalid_prompt',
        message: "The model 'x' does not support tools.",
      });
      expect(upstream.requests).toHaveLength(1);
    },
  );

  it.each([400, 500, 503])(
    'turns a %i saying the prompt is too long into invalid_prompt naming the context window, without retrying',
    async (status) => {
      upstream.script({
        status,
        error: { message: "This model's maximum context length is 8192 tokens.", type: 'x' },
      });
      const { error } = await collectUntilError(modelFor({ maxRetries: 3 }).stream(request()));
      expect(error).toBeInstanceOf(ModelError);
      expect(error).toMatchObject({
        code: 'invalid_prompt',
        message:
          "The prompt is longer than the model's context window (context_length_exceeded): " +
          "This model's maximum context length is 8192 tokens. Set the route’s contextWindow " +
          '(or LLM_CONTEXT_WINDOW) to the window the model has.',
      });
      expect(upstream.requests).toHaveLength(1);
    },
  );

  it('turns a persistent 5xx into server_error', async () => {
    upstream.script({ status: 503, error: { message: 'overloaded' } });
    const { error } = await collectUntilError(modelFor().stream(request()));
    expect(error).toMatchObject({
      code: 'server_error',
      message: 'Upstream error 503: overloaded',
    });
  });

  it('turns an unreachable upstream into server_error', async () => {
    const gone = await startFakeUpstream();
    await gone.close();
    const model = createOpenAIChatModel({ baseURL: gone.url, maxRetries: 0 });
    const { error } = await collectUntilError(model.stream(request()));
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ code: 'server_error' });
    expect(isAbortError(error)).toBe(false);
  });

  it('turns a connection cut mid-stream into server_error after the pieces already sent', async () => {
    upstream.script({ text: ['half an '], disconnect: true });
    const { events, error } = await collectUntilError(
      modelFor({ maxRetries: 3 }).stream(request()),
    );
    expect(events).toEqual([{ type: 'text', delta: 'half an ' }]);
    expect(error).toMatchObject({ code: 'server_error' });
    // A stream that started is never retried: the pieces were already handed out.
    expect(upstream.requests).toHaveLength(1);
  });

  it('fails clearly, without retrying, when a test forgot to script a reply', async () => {
    const { error } = await collectUntilError(modelFor({ maxRetries: 3 }).stream(request()));
    expect(error).toMatchObject({ code: 'server_error' });
    expect((error as Error).message).toContain('no reply was scripted');
    expect(upstream.requests).toHaveLength(1);
  });
});

describe('cancellation', () => {
  it('aborting mid-stream disconnects the upstream and throws an abort, not a ModelError', async () => {
    upstream.script({ text: ['partial '], hang: true });
    const controller = new AbortController();
    const events = modelFor().stream(request({ signal: controller.signal }));
    const iterator = events[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ type: 'text', delta: 'partial ' });

    controller.abort();
    const error = await iterator.next().then(
      (result) => new Error(`expected an abort, got ${JSON.stringify(result)}`),
      (thrown: unknown) => thrown,
    );
    expect(isAbortError(error)).toBe(true);
    expect(error).not.toBeInstanceOf(ModelError);
    expect(await upstream.requests[0]?.aborted).toBe(true);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { error } = await collectUntilError(
      modelFor().stream(request({ signal: controller.signal })),
    );
    expect(isAbortError(error)).toBe(true);
    expect(upstream.requests).toHaveLength(0);
  });

  it('stopping the iteration early closes the upstream request', async () => {
    upstream.script({ text: ['first ', 'second'], hang: true });
    for await (const event of modelFor().stream(request())) {
      expect(event).toEqual({ type: 'text', delta: 'first ' });
      break;
    }
    expect(await upstream.requests[0]?.aborted).toBe(true);
  });

  it('a completed stream is not reported as aborted', async () => {
    upstream.script({ text: 'done' });
    await collect(modelFor().stream(request()));
    expect(await upstream.requests[0]?.aborted).toBe(false);
  });
});
