import type { AssistantStream } from 'openai/lib/AssistantStream';
import type { AssistantTool } from 'openai/resources/beta/assistants';
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../setup/app.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import type { FakeUpstream } from '../setup/fake-upstream.js';
import { eventSchema, expectSpec } from '../setup/openapi.js';

let t: TestApp;
let upstream: FakeUpstream;

// No code runs here: a code_interpreter call still streams its input, then reports the sandbox off.
useAppWithUpstream({ env: { SANDBOX_DISABLED: 'true' } }, (app) => {
  ({ t, upstream } = app);
});

const WEATHER: AssistantTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object' } },
};

async function setup(tools: AssistantTool[] = []) {
  const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o', tools });
  const thread = await t.openai.beta.threads.create({
    messages: [{ role: 'user', content: 'Say hello' }],
  });
  return { assistant, thread };
}

/**
 * What the SDKs' users do: take each call from toolCallCreated and rebuild its arguments or code
 * from toolCallDelta. Gathers, by call id, the text each showed at its creation and the rest.
 */
function toolCallTexts(stream: AssistantStream) {
  const opened: Record<string, string> = {};
  const streamed: Record<string, string> = {};
  let current = '';
  stream.on('toolCallCreated', (call) => {
    current = call.id;
    opened[current] = call.type === 'file_search' ? '' : textOf(call);
    streamed[current] = '';
  });
  stream.on('toolCallDelta', (delta) => {
    streamed[current] += delta.type === 'file_search' ? '' : textOf(delta);
  });
  stream.on('event', ({ event, data }) => expectSpec(eventSchema(event), data));
  return { opened, streamed };
}

/** A function call's arguments or a code_interpreter call's input, whole or a delta's piece. */
type CallText =
  | { type: 'function'; function?: { arguments?: string } }
  | { type: 'code_interpreter'; code_interpreter?: { input?: string } };

function textOf(call: CallText): string {
  return call.type === 'function'
    ? (call.function?.arguments ?? '')
    : (call.code_interpreter?.input ?? '');
}

describe('REST streaming through the SDK helpers', () => {
  it('streams a text answer in OpenAI’s event order, and the deltas add up to the message', async () => {
    const { assistant, thread } = await setup();
    upstream.script({
      text: ['Hel', 'lo', ' there', '!'],
      usage: { prompt_tokens: 5, completion_tokens: 4 },
    });
    const stream = t.openai.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    const names: string[] = [];
    const deltas: string[] = [];
    stream.on('event', ({ event, data }) => {
      names.push(event);
      expectSpec(eventSchema(event), data);
    });
    stream.on('textDelta', (delta) => deltas.push(delta.value ?? ''));
    const run = await stream.finalRun();
    const [message] = await stream.finalMessages();

    expect(run.status).toBe('completed');
    expect(run.usage).toEqual({ prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 });
    expect(deltas.join('')).toBe('Hello there!');
    expect(message?.content[0]).toMatchObject({ type: 'text', text: { value: 'Hello there!' } });
    const withoutDeltas = names.filter((name) => name !== 'thread.message.delta');
    expect(withoutDeltas).toEqual([
      'thread.run.created',
      'thread.run.queued',
      'thread.run.in_progress',
      'thread.run.step.created',
      'thread.run.step.in_progress',
      'thread.message.created',
      'thread.message.in_progress',
      'thread.message.completed',
      'thread.run.step.completed',
      'thread.run.completed',
    ]);
    expect(names.filter((name) => name === 'thread.message.delta').length).toBeGreaterThan(0);
  });

  it('streams tool calls, stops at requires_action, and continues with submitToolOutputsStream', async () => {
    const { assistant, thread } = await setup([WEATHER]);
    upstream.script({
      toolCalls: [
        { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
        { id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
      ],
    });
    const stream = t.openai.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    const created: string[] = [];
    const done: { id: string; arguments: string }[] = [];
    stream.on('toolCallCreated', (call) => created.push(call.id ?? ''));
    stream.on('toolCallDone', (call) => {
      if (call.type === 'function') {
        done.push({ id: call.id, arguments: call.function.arguments });
      }
    });
    stream.on('event', ({ event, data }) => expectSpec(eventSchema(event), data));
    const paused = await stream.finalRun();
    expect(paused.status).toBe('requires_action');
    expect(created).toEqual(['call_a', 'call_b']);
    expect(done).toEqual([
      { id: 'call_a', arguments: '{"city":"Paris","unit":"celsius"}' },
      { id: 'call_b', arguments: '{"city":"Rome"}' },
    ]);

    upstream.script({ text: 'Paris 18, Rome 24.' });
    const resumed = t.openai.beta.threads.runs.submitToolOutputsStream(paused.id, {
      thread_id: thread.id,
      tool_outputs: [
        { tool_call_id: 'call_a', output: '18' },
        { tool_call_id: 'call_b', output: '24' },
      ],
    });
    const names: string[] = [];
    resumed.on('event', ({ event, data }) => {
      names.push(event);
      expectSpec(eventSchema(event), data);
    });
    const final = await resumed.finalRun();
    expect(final.status).toBe('completed');
    expect(names.slice(0, 3)).toEqual([
      'thread.run.step.completed',
      'thread.run.queued',
      'thread.run.in_progress',
    ]);
    expect(names.at(-1)).toBe('thread.run.completed');
    const [message] = await resumed.finalMessages();
    expect(message?.content[0]).toMatchObject({ text: { value: 'Paris 18, Rome 24.' } });
  });

  it('opens each function call with an empty delta, so its toolCallDelta text is whole', async () => {
    const { assistant, thread } = await setup([WEATHER]);
    const args = '{"city":"Paris","unit":"celsius"}';
    // Every chunk of the reply comes in one network read: the most the writer can coalesce.
    upstream.script({
      toolCalls: [
        { id: 'call_a', name: 'get_weather', arguments: args },
        { id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
      ],
    });
    const stream = t.openai.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    const texts = toolCallTexts(stream);
    expect((await stream.finalRun()).status).toBe('requires_action');
    expect(texts).toEqual({
      opened: { call_a: '', call_b: '' },
      streamed: { call_a: args, call_b: '{"city":"Rome"}' },
    });
  });

  it('opens a code_interpreter call with an empty input, so its toolCallDelta input is whole', async () => {
    const { assistant, thread } = await setup([{ type: 'code_interpreter' }]);
    const code = 'total = 6 * 7\nprint(total)';
    upstream.script(
      {
        toolCalls: [
          { id: 'call_code', name: 'code_interpreter', arguments: JSON.stringify({ code }) },
        ],
      },
      { text: 'No sandbox here.' },
    );
    const stream = t.openai.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    const texts = toolCallTexts(stream);
    expect((await stream.finalRun()).status).toBe('completed');
    expect(texts).toEqual({ opened: { call_code: '' }, streamed: { call_code: code } });
  });

  it('streams a failure as thread.run.failed', async () => {
    const { assistant, thread } = await setup();
    upstream.script({ status: 500, error: { message: 'boom', type: 'server_error' } });
    const stream = t.openai.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    const run = await stream.finalRun();
    expect(run.status).toBe('failed');
    expect(run.last_error?.code).toBe('server_error');
  });

  it('streams a cancel: cancelling, the open message and step closed, then cancelled', async () => {
    const { assistant, thread } = await setup();
    upstream.script({ text: ['partial'], hang: true });
    const stream = t.openai.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    const names: string[] = [];
    stream.on('event', ({ event, data }) => {
      names.push(event);
      expectSpec(eventSchema(event), data);
    });
    await new Promise<void>((resolve) => stream.on('textDelta', () => resolve()));
    const current = stream.currentRun();
    await t.openai.beta.threads.runs.cancel(current?.id ?? '', { thread_id: thread.id });
    const run = await stream.finalRun();
    expect(run.status).toBe('cancelled');
    expect(names.slice(-4)).toEqual([
      'thread.run.cancelling',
      'thread.message.incomplete',
      'thread.run.step.cancelled',
      'thread.run.cancelled',
    ]);
  });

  it('streams createAndRun starting with thread.created', async () => {
    const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
    upstream.script({ text: 'Hi.' });
    const stream = t.openai.beta.threads.createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'hello' }] },
    });
    const names: string[] = [];
    stream.on('event', ({ event }) => names.push(event));
    const run = await stream.finalRun();
    expect(run.status).toBe('completed');
    expect(names[0]).toBe('thread.created');
    expect(names[1]).toBe('thread.run.created');
  });

  it('refuses bad input before streaming, as a normal JSON error', async () => {
    const { thread } = await setup();
    const error = await t.openai.beta.threads.runs
      .stream(thread.id, { assistant_id: 'asst_missing' })
      .finalRun()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404 });
  });
});
