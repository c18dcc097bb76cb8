import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { apiError } from '../setup/api-error.js';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import { assistantAndThread, scriptedRun, weatherTool } from '../setup/factories.js';
import { threadWithImage } from '../setup/image-thread.js';
import { expectResponsesSpec, expectSpec } from '../setup/openapi.js';
import { threadTranscript } from '../setup/thread-transcript.js';

// A sandbox for the code_interpreter run whose step a response reads.
const sandboxDir = mkdtempSync(path.join(tmpdir(), 'bridge-sandbox-'));
afterAll(() => rm(sandboxDir, { recursive: true, force: true }));

let app: AppWithUpstream;
useAppWithUpstream(
  { env: { SANDBOX_WORK_DIR: sandboxDir, SANDBOX_TIMEOUT_MS: '5000' } },
  (started) => {
    app = started;
  },
);

const transcript = (threadId: string) => threadTranscript(app.t, threadId);

const weatherFunction = {
  type: 'function' as const,
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
  strict: false,
};

/** A thread whose run called get_weather, got its output and answered: completed. */
async function threadWithFunctionRun() {
  const { t, upstream } = app;
  const { assistant, thread } = await assistantAndThread(t, {
    tools: [weatherTool],
    messages: ['Weather in Oslo?'],
  });
  const paused = await scriptedRun(
    t,
    upstream,
    { threadId: thread.id, assistantId: assistant.id },
    { toolCalls: [{ id: 'call_oslo', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
  );
  expect(paused.status).toBe('requires_action');
  upstream.script({ text: 'Sunny in Oslo.' });
  const run = await t.openai.beta.threads.runs.submitToolOutputsAndPoll(
    paused.id,
    { thread_id: thread.id, tool_outputs: [{ tool_call_id: 'call_oslo', output: '{"temp":12}' }] },
    { pollIntervalMs: 50 },
  );
  expect(run.status).toBe('completed');
  return { assistant, thread };
}

describe('responses.create on an Assistants thread', () => {
  it('sees its messages and a completed function-calling run, in order, and appends its turn', async () => {
    const { t, upstream } = app;
    const { thread } = await threadWithFunctionRun();
    await t.openai.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: [
        { type: 'text', text: 'This is Oslo today:' },
        { type: 'image_url', image_url: { url: 'https://example.com/oslo.png', detail: 'low' } },
      ],
    });
    upstream.script({ text: 'Rain tomorrow.' });
    const response = await t.openai.responses.create({
      model: 'gpt-test',
      input: 'And tomorrow?',
      conversation: thread.id,
    });
    expectResponsesSpec('Response', response);
    expect(response.status).toBe('completed');
    expect(response.conversation).toEqual({ id: thread.id });
    expect(response.output_text).toBe('Rain tomorrow.');

    expect(upstream.requests.at(-1)?.body.messages).toEqual([
      { role: 'user', content: 'Weather in Oslo?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_oslo',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_oslo', content: '{"temp":12}' },
      { role: 'assistant', content: 'Sunny in Oslo.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'This is Oslo today:' },
          { type: 'image_url', image_url: { url: 'https://example.com/oslo.png', detail: 'low' } },
        ],
      },
      { role: 'user', content: 'And tomorrow?' },
    ]);

    expect(await transcript(thread.id)).toEqual([
      'user: Weather in Oslo?',
      'assistant: Sunny in Oslo.',
      'user: This is Oslo today:',
      'user: And tomorrow?',
      'assistant: Rain tomorrow.',
    ]);
    // The thread's new messages are the response's own items, under the same ids.
    const page = await t.openai.beta.threads.messages.list(thread.id, { order: 'desc', limit: 2 });
    const [answer, question] = page.data;
    expectSpec('MessageObject', answer);
    expect(answer).toMatchObject({
      id: response.output[0]?.id,
      object: 'thread.message',
      thread_id: thread.id,
      role: 'assistant',
      status: 'completed',
      run_id: null,
      assistant_id: null,
      content: [{ type: 'text', text: { value: 'Rain tomorrow.', annotations: [] } }],
    });
    const input = await t.openai.responses.inputItems.list(response.id);
    expect(question?.id).toBe(input.data[0]?.id);
  });

  it('takes three turns alternating between the two APIs, each seeing all before it', async () => {
    const { t, upstream } = app;
    const { assistant, thread } = await assistantAndThread(t, { messages: ['Capital of France?'] });
    await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { text: 'Paris' },
    );

    upstream.script({ text: 'Rome' });
    const second = await t.openai.responses.create({
      model: 'gpt-test',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Capital of Italy?' }] }],
      conversation: { id: thread.id },
    });
    expect(second.output_text).toBe('Rome');

    await t.openai.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: 'Capital of Germany?',
    });
    const third = await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { text: 'Berlin' },
    );
    expect(third.status).toBe('completed');
    // The Assistants run reads the response's turn as the thread's messages.
    expect(upstream.requests.at(-1)?.body.messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: [{ type: 'text', text: 'Capital of France?' }] },
      { role: 'assistant', content: 'Paris' },
      { role: 'user', content: [{ type: 'text', text: 'Capital of Italy?' }] },
      { role: 'assistant', content: 'Rome' },
      { role: 'user', content: [{ type: 'text', text: 'Capital of Germany?' }] },
    ]);

    upstream.script({ text: 'Madrid' });
    const fourth = await t.openai.responses.create({
      model: 'gpt-test',
      instructions: 'One word.',
      input: 'Capital of Spain?',
      conversation: thread.id,
    });
    expect(fourth.output_text).toBe('Madrid');
    expect(upstream.requests.at(-1)?.body.messages).toEqual([
      { role: 'system', content: 'One word.' },
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Paris' },
      { role: 'user', content: 'Capital of Italy?' },
      { role: 'assistant', content: 'Rome' },
      { role: 'user', content: 'Capital of Germany?' },
      { role: 'assistant', content: 'Berlin' },
      { role: 'user', content: 'Capital of Spain?' },
    ]);
    expect(await transcript(thread.id)).toEqual([
      'user: Capital of France?',
      'assistant: Paris',
      'user: Capital of Italy?',
      'assistant: Rome',
      'user: Capital of Germany?',
      'assistant: Berlin',
      'user: Capital of Spain?',
      'assistant: Madrid',
    ]);
  });

  it('keeps a response’s function call and its output in what later responses see', async () => {
    const { t, upstream } = app;
    const thread = await t.openai.beta.threads.create({});
    upstream.script(
      { toolCalls: [{ id: 'call_bergen', name: 'get_weather', arguments: '{"city":"Bergen"}' }] },
      { text: 'Wet.' },
    );
    const call = await t.openai.responses.create({
      model: 'gpt-test',
      input: 'Weather in Bergen?',
      tools: [weatherFunction],
      conversation: thread.id,
    });
    expect(call.output).toMatchObject([{ type: 'function_call', call_id: 'call_bergen' }]);
    const answer = await t.openai.responses.create({
      model: 'gpt-test',
      input: [{ type: 'function_call_output', call_id: 'call_bergen', output: '{"rain":true}' }],
      tools: [weatherFunction],
      conversation: thread.id,
    });
    expect(answer.output_text).toBe('Wet.');
    expect(upstream.requests.at(-1)?.body.messages).toEqual([
      { role: 'user', content: 'Weather in Bergen?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_bergen',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Bergen"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_bergen', content: '{"rain":true}' },
    ]);
    // A thread has no message for a function call: it shows the question and the answer.
    expect(await transcript(thread.id)).toEqual(['user: Weather in Bergen?', 'assistant: Wet.']);
  });

  it('works over GraphQL too, and the response links its thread', async () => {
    const { t, upstream } = app;
    const thread = await t.openai.beta.threads.create({
      messages: [{ role: 'user', content: 'Hi' }],
    });
    upstream.script({ text: 'Hello!' });
    const result = await t.graphql<{
      createResponse: {
        id: string;
        status: string;
        thread: { id: string } | null;
        openai: unknown;
      };
    }>(
      `mutation ($input: CreateResponseInput!) {
        createResponse(input: $input, wait: true) { id status thread { id } openai }
      }`,
      { input: { model: 'gpt-test', input: 'How are you?', conversation: thread.id } },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.createResponse).toMatchObject({
      status: 'completed',
      thread: { id: thread.id },
      openai: { conversation: { id: thread.id } },
    });
    expectResponsesSpec('Response', result.data?.createResponse.openai);
    expect(upstream.requests.at(-1)?.body.messages).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'user', content: 'How are you?' },
    ]);
    expect(await transcript(thread.id)).toEqual([
      'user: Hi',
      'user: How are you?',
      'assistant: Hello!',
    ]);
  });
});

describe('a code_interpreter run in a thread', () => {
  it('reaches the model as the function call the run offered, with what the run was told', async () => {
    const { t, upstream } = app;
    const assistant = await t.openai.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'code_interpreter' }],
    });
    const thread = await t.openai.beta.threads.create({
      messages: [{ role: 'user', content: 'What is 6 times 7?' }],
    });
    const run = await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      {
        toolCalls: [
          { id: 'call_py', name: 'code_interpreter', arguments: '{"code":"print(6 * 7)"}' },
        ],
      },
      { text: 'It is 42.' },
    );
    expect(run.status).toBe('completed');
    // What the run itself showed the model after executing the code: its call and its output.
    const replayed = upstream.requests.at(-1)?.body.messages.slice(-2);
    expect(replayed?.[1]).toMatchObject({ role: 'tool', tool_call_id: 'call_py' });
    expect(JSON.stringify(replayed)).toContain('42');

    upstream.script({ text: 'Yes, 42.' });
    await t.openai.responses.create({
      model: 'gpt-test',
      input: 'Sure?',
      conversation: thread.id,
    });
    expect(upstream.requests.at(-1)?.body.messages).toEqual([
      { role: 'user', content: 'What is 6 times 7?' },
      ...(replayed ?? []),
      { role: 'assistant', content: 'It is 42.' },
      { role: 'user', content: 'Sure?' },
    ]);
  });
});

describe('an image file in a thread', () => {
  it('reaches the model inline as a data URL, as a run sends it', async () => {
    const { t, upstream } = app;
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const { thread } = await threadWithImage(t, png, 'What is this?');
    upstream.script({ text: 'A tiny PNG.' });
    const response = await t.openai.responses.create({
      model: 'gpt-test',
      input: 'Describe it.',
      conversation: thread.id,
    });
    expect(response.output_text).toBe('A tiny PNG.');
    expect(upstream.requests.at(-1)?.body.messages).toEqual([
      {
        role: 'user',
        content: [
          {
            type: 'image_url',
            image_url: { url: `data:image/png;base64,${png.toString('base64')}`, detail: 'low' },
          },
          { type: 'text', text: 'What is this?' },
        ],
      },
      { role: 'user', content: 'Describe it.' },
    ]);
  });
});

describe('responses.create on a thread it may not use', () => {
  it('is a 404 naming conversation for an unknown thread and another project’s', async () => {
    const { t } = app;
    const unknown = await apiError(
      t.openai.responses.create({ model: 'gpt-test', input: 'x', conversation: 'thread_nope' }),
    );
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown).toMatchObject({ param: 'conversation' });
    expect(unknown.message).toContain("No thread found with id 'thread_nope'.");

    const thread = await t.openai.beta.threads.create({
      messages: [{ role: 'user', content: 'Private' }],
    });
    const other = t.client((await t.createOtherProject()).apiKey);
    const foreign = await apiError(
      other.responses.create({ model: 'gpt-test', input: 'x', conversation: thread.id }),
    );
    expect(foreign).toBeInstanceOf(OpenAI.NotFoundError);
    expect(foreign).toMatchObject({ param: 'conversation' });
    expect(await transcript(thread.id)).toEqual(['user: Private']);
  });

  it('is the Assistants API’s 400 while a run is active on the thread, and adds nothing', async () => {
    const { t, upstream } = app;
    const { assistant, thread } = await assistantAndThread(t, { tools: [weatherTool] });
    const paused = await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { toolCalls: [{ id: 'call_busy', name: 'get_weather', arguments: '{}' }] },
    );
    expect(paused.status).toBe('requires_action');
    const expected = await apiError(
      t.openai.beta.threads.messages.create(thread.id, { role: 'user', content: 'x' }),
    );
    const refused = await apiError(
      t.openai.responses.create({ model: 'gpt-test', input: 'x', conversation: thread.id }),
    );
    expect(refused.status).toBe(400);
    expect(refused.message).toBe(expected.message);
    expect(refused.message).toContain(`while a run ${paused.id} is active`);
    expect(await transcript(thread.id)).toEqual(['user: Say hello']);
    const requests = upstream.requests.length;
    await t.openai.beta.threads.runs.cancel(paused.id, { thread_id: thread.id });
    expect(upstream.requests.length).toBe(requests);
  });
});
