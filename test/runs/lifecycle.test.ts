import OpenAI, { type BadRequestError } from 'openai';
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../setup/app.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import { assistantAndThread, weatherTool } from '../setup/factories.js';
import type { FakeUpstream } from '../setup/fake-upstream.js';
import { expectSpec } from '../setup/openapi.js';

let t: TestApp;
let upstream: FakeUpstream;

useAppWithUpstream({}, (app) => {
  ({ t, upstream } = app);
});

describe('a run that answers with text', () => {
  it('completes through createAndPoll with the message, its step and summed usage', async () => {
    const { assistant, thread } = await assistantAndThread(t);
    upstream.script({
      text: ['Hel', 'lo', '!'],
      usage: { prompt_tokens: 12, completion_tokens: 3 },
    });
    const requestsBefore = upstream.requests.length;

    const run = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
    });
    expectSpec('RunObject', run);
    expect(run).toMatchObject({
      status: 'completed',
      model: 'gpt-4o',
      instructions: 'You are terse.',
      usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
      expires_at: null,
      last_error: null,
    });
    expect(run.started_at).not.toBeNull();
    expect(run.completed_at).not.toBeNull();

    const sent = upstream.requests[requestsBefore];
    expect(sent?.body).toMatchObject({
      model: 'gpt-4o',
      stream: true,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: [{ type: 'text', text: 'Say hello' }] },
      ],
    });
    expect(sent?.headers.authorization).toBe('Bearer upstream-key');

    const messages = await t.openai.beta.threads.messages.list(thread.id);
    expect(messages.data).toHaveLength(2);
    const answer = messages.data[0];
    expectSpec('MessageObject', answer);
    expect(answer).toMatchObject({
      role: 'assistant',
      status: 'completed',
      run_id: run.id,
      assistant_id: assistant.id,
      content: [{ type: 'text', text: { value: 'Hello!', annotations: [] } }],
    });

    const steps = await t.openai.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
    expect(steps.data).toHaveLength(1);
    const step = steps.data[0];
    expectSpec('RunStepObject', step);
    expect(step).toMatchObject({
      type: 'message_creation',
      status: 'completed',
      step_details: { type: 'message_creation', message_creation: { message_id: answer?.id } },
      usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
    });
    const fetched = await t.openai.beta.threads.runs.steps.retrieve(step?.id ?? '', {
      thread_id: thread.id,
      run_id: run.id,
    });
    expect(fetched).toEqual(step);
  });

  it('creates the thread and the run together with createAndRunPoll', async () => {
    const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o-mini' });
    upstream.script({ text: 'Sure.' });
    const run = await t.openai.beta.threads.createAndRunPoll({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Can you help?' }] },
      instructions: 'Override.',
    });
    expect(run.status).toBe('completed');
    expect(run.instructions).toBe('Override.');
    const messages = await t.openai.beta.threads.messages.list(run.thread_id, { order: 'asc' });
    expect(messages.data.map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it('tells the SDK to poll again soon while a run is not finished', async () => {
    const { assistant, thread } = await assistantAndThread(t);
    upstream.script({ text: 'slow', hang: true });
    const requestsBefore = upstream.requests.length;
    const run = await t.openai.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
    expectSpec('RunObject', run);
    const response = await t.rest(`/threads/${thread.id}/runs/${run.id}`);
    expect(response.headers.get('openai-poll-after-ms')).toBe('150');
    // Cancel once the upstream call is under way, so the scripted reply is used by this run.
    await upstream.waitForRequest(requestsBefore + 1);
    await t.openai.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
    const ended = await t.openai.beta.threads.runs.poll(run.id, { thread_id: thread.id });
    expect(ended.status).toBe('cancelled');
    const done = await t.rest(`/threads/${thread.id}/runs/${run.id}`);
    expect(done.headers.get('openai-poll-after-ms')).toBeNull();
  });
});

describe('function tools', () => {
  it('asks for tool outputs, records them on the step, and resumes to completion', async () => {
    const { assistant, thread } = await assistantAndThread(t, { tools: [weatherTool] });
    upstream.script({
      toolCalls: [
        { id: 'call_paris', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { id: 'call_rome', name: 'get_weather', arguments: '{"city":"Rome"}' },
      ],
      usage: { prompt_tokens: 20, completion_tokens: 10 },
    });
    const paused = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
    });
    expectSpec('RunObject', paused);
    expect(paused.status).toBe('requires_action');
    expect(paused.required_action).toEqual({
      type: 'submit_tool_outputs',
      submit_tool_outputs: {
        tool_calls: [
          {
            id: 'call_paris',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
          {
            id: 'call_rome',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
          },
        ],
      },
    });
    const firstRequest = upstream.requests.at(-1);
    expect(firstRequest?.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ]);
    expect(firstRequest?.body.parallel_tool_calls).toBe(true);

    const pendingSteps = await t.openai.beta.threads.runs.steps.list(paused.id, {
      thread_id: thread.id,
    });
    expect(pendingSteps.data[0]).toMatchObject({
      type: 'tool_calls',
      status: 'in_progress',
      usage: null,
    });

    await expect(
      t.openai.beta.threads.runs.submitToolOutputs(paused.id, {
        thread_id: thread.id,
        tool_outputs: [{ tool_call_id: 'call_paris', output: '18C' }],
      }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      t.openai.beta.threads.runs.submitToolOutputs(paused.id, {
        thread_id: thread.id,
        tool_outputs: [
          { tool_call_id: 'call_paris', output: '18C' },
          { tool_call_id: 'call_nope', output: 'x' },
        ],
      }),
    ).rejects.toMatchObject({ status: 400, param: 'tool_outputs[1].tool_call_id' });

    upstream.script({
      text: 'Paris 18C, Rome 24C.',
      usage: { prompt_tokens: 40, completion_tokens: 8 },
    });
    const done = await t.openai.beta.threads.runs.submitToolOutputsAndPoll(paused.id, {
      thread_id: thread.id,
      tool_outputs: [
        { tool_call_id: 'call_rome', output: '24C' },
        { tool_call_id: 'call_paris', output: '18C' },
      ],
    });
    expect(done.status).toBe('completed');
    expect(done.required_action).toBeNull();
    expect(done.usage).toEqual({ prompt_tokens: 60, completion_tokens: 18, total_tokens: 78 });

    const resumed = upstream.requests.at(-1);
    expect(resumed?.body.messages.slice(-3)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_paris',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
          {
            id: 'call_rome',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_paris', content: '18C' },
      { role: 'tool', tool_call_id: 'call_rome', content: '24C' },
    ]);

    const steps = await t.openai.beta.threads.runs.steps.list(done.id, {
      thread_id: thread.id,
      order: 'asc',
    });
    for (const step of steps.data) {
      expectSpec('RunStepObject', step);
    }
    expect(steps.data.map((s) => [s.type, s.status])).toEqual([
      ['tool_calls', 'completed'],
      ['message_creation', 'completed'],
    ]);
    const toolStep = steps.data[0]?.step_details;
    expect(toolStep).toEqual({
      type: 'tool_calls',
      tool_calls: [
        {
          id: 'call_paris',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris"}', output: '18C' },
        },
        {
          id: 'call_rome',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Rome"}', output: '24C' },
        },
      ],
    });

    await expect(
      t.openai.beta.threads.runs.submitToolOutputs(done.id, {
        thread_id: thread.id,
        tool_outputs: [{ tool_call_id: 'call_paris', output: 'again' }],
      }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('passes tool_choice and parallel_tool_calls through to the upstream', async () => {
    const { assistant, thread } = await assistantAndThread(t, { tools: [weatherTool] });
    upstream.script({ text: 'No tools needed.' });
    await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      temperature: 0.2,
    });
    expect(upstream.requests.at(-1)?.body).toMatchObject({
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      temperature: 0.2,
    });
  });
});

describe('the thread lock', () => {
  it('refuses a second run and new messages while a run is active, and frees the thread when it is cancelled', async () => {
    const { assistant, thread } = await assistantAndThread(t);
    upstream.script({ text: ['partial '], hang: true });
    const requestsBefore = upstream.requests.length;
    const run = await t.openai.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });

    const second = await t.openai.beta.threads.runs
      .create(thread.id, { assistant_id: assistant.id })
      .catch((e: unknown) => e);
    expect(second).toBeInstanceOf(OpenAI.BadRequestError);
    expect((second as BadRequestError).message).toBe(
      `400 Thread ${thread.id} already has an active run ${run.id}.`,
    );
    const message = await t.openai.beta.threads.messages
      .create(thread.id, { role: 'user', content: 'more' })
      .catch((e: unknown) => e);
    expect((message as BadRequestError).message).toBe(
      `400 Can't add messages to ${thread.id} while a run ${run.id} is active.`,
    );

    const hung = await upstream.waitForRequest(requestsBefore + 1);
    const cancelling = await t.openai.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
    expect(cancelling.status).toBe('cancelling');
    const cancelled = await t.openai.beta.threads.runs.poll(run.id, { thread_id: thread.id });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.cancelled_at).not.toBeNull();
    expect(await hung.aborted).toBe(true);

    const cancelAgain = await t.openai.beta.threads.runs
      .cancel(run.id, { thread_id: thread.id })
      .catch((e: unknown) => e);
    expect((cancelAgain as BadRequestError).message).toBe(
      "400 Cannot cancel run with status 'cancelled'.",
    );

    const partial = (await t.openai.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
    for (const m of partial) {
      expect(m).toMatchObject({
        status: 'incomplete',
        incomplete_details: { reason: 'run_cancelled' },
      });
    }
    await t.openai.beta.threads.messages.create(thread.id, { role: 'user', content: 'free again' });
  });

  it('is released when a run fails upstream, with OpenAI’s last_error code', async () => {
    const { assistant, thread } = await assistantAndThread(t);
    upstream.script({ status: 500, error: { message: 'upstream exploded', type: 'server_error' } });
    const failed = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
    });
    expectSpec('RunObject', failed);
    expect(failed.status).toBe('failed');
    expect(failed.last_error?.code).toBe('server_error');
    expect(failed.failed_at).not.toBeNull();

    upstream.script({ status: 429, error: { message: 'slow down', type: 'requests' } });
    const limited = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
    });
    expect(limited.last_error?.code).toBe('rate_limit_exceeded');
    await t.openai.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: 'still usable',
    });
  });
});
