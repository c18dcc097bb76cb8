import { describe, expect, it } from 'vitest';
import type { TestApp } from '../setup/app.js';
import { type AppWithUpstream, useAppWithUpstream } from '../setup/app-with-upstream.js';
import { weatherTool } from '../setup/factories.js';
import type { FakeUpstream } from '../setup/fake-upstream.js';
import { dataOf, firstError } from '../setup/graphql-response.js';
import { graphqlRuns } from './graphql-runs.js';
import {
  CANCEL_RUN,
  CREATE_RUN,
  CREATE_THREAD_AND_RUN,
  LIST_RUNS,
  RUN_STEP,
  type Run,
  type Step,
  SUBMIT_TOOL_OUTPUTS,
  text,
  UPDATE_RUN,
} from './run-operations.js';

let t: TestApp;
let upstream: FakeUpstream;
let started: AppWithUpstream;

useAppWithUpstream({}, (app) => {
  started = app;
  ({ t, upstream } = app);
});
const { assistantAndThread, createRun, getRun, waitForRun, runSteps, messages, cancelAndWait } =
  graphqlRuns(() => started);

describe('runs over GraphQL', () => {
  it('runs to completion, writing a message and its message_creation step', async () => {
    const { assistantId, threadId } = await assistantAndThread();
    upstream.script({
      text: ['Hel', 'lo', '!'],
      usage: { prompt_tokens: 12, completion_tokens: 3 },
    });
    const requestsBefore = upstream.requests.length;

    const created = await createRun(threadId, { assistantId, metadata: { via: 'graphql' } });
    expect(created).toMatchObject({
      id: expect.stringMatching(/^run_[A-Za-z0-9]{24}$/),
      threadId,
      assistantId,
      model: 'gpt-4o',
      instructions: 'You are terse.',
      metadata: { via: 'graphql' },
      requiredAction: null,
      toolChoice: { type: 'auto', function: null },
      parallelToolCalls: true,
    });
    expect(created.expiresAt).toBe(created.createdAt + 600);

    const run = await waitForRun(threadId, created.id, ['completed', 'failed']);
    expect(run).toMatchObject({
      status: 'completed',
      lastError: null,
      expiresAt: null,
      usage: { promptTokens: 12, completionTokens: 3, totalTokens: 15 },
    });
    expect(run.startedAt).not.toBeNull();
    expect(run.completedAt).not.toBeNull();
    expect(upstream.requests[requestsBefore]?.body.messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: [{ type: 'text', text: 'Say hello' }] },
    ]);

    const written = await messages(threadId, run.id);
    expect(written).toEqual([
      {
        id: expect.stringMatching(/^msg_/),
        role: 'assistant',
        status: 'completed',
        runId: run.id,
        assistantId,
        content: [{ type: 'text', text: { value: 'Hello!' } }],
      },
    ]);
    expect((await messages(threadId)).map((m) => m.role)).toEqual(['user', 'assistant']);

    const steps = await runSteps(threadId, run.id);
    expect(steps.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: steps.nodes[0]?.id,
      endCursor: steps.nodes[0]?.id,
    });
    expect(steps.edges).toEqual([{ cursor: steps.nodes[0]?.id }]);
    expect(steps.nodes).toEqual([
      {
        id: expect.stringMatching(/^step_[A-Za-z0-9]{24}$/),
        runId: run.id,
        threadId,
        assistantId,
        type: 'message_creation',
        status: 'completed',
        completedAt: expect.any(Number),
        cancelledAt: null,
        metadata: {},
        usage: { promptTokens: 12, completionTokens: 3, totalTokens: 15 },
        stepDetails: {
          type: 'message_creation',
          messageCreation: { messageId: written[0]?.id },
          toolCalls: null,
        },
      },
    ]);
    const step = dataOf(
      await t.graphql<{ runStep: Step }>(RUN_STEP, {
        threadId,
        runId: run.id,
        id: steps.nodes[0]?.id,
      }),
    ).runStep;
    expect(step).toEqual(steps.nodes[0]);

    const listed = dataOf(
      await t.graphql<{ runs: { nodes: { id: string; status: string }[] } }>(LIST_RUNS, {
        threadId,
      }),
    ).runs;
    expect(listed.nodes).toEqual([{ id: run.id, status: 'completed' }]);
  });

  it('pauses for function outputs, resumes after submitToolOutputs and records them on the step', async () => {
    const { assistantId, threadId } = await assistantAndThread({ tools: [weatherTool] });
    upstream.script({
      toolCalls: [
        { id: 'call_paris', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { id: 'call_rome', name: 'get_weather', arguments: '{"city":"Rome"}' },
      ],
    });
    const created = await createRun(threadId, { assistantId });
    const paused = await waitForRun(threadId, created.id, ['requires_action', 'failed']);
    expect(paused.status).toBe('requires_action');
    expect(paused.requiredAction).toEqual({
      type: 'submit_tool_outputs',
      submitToolOutputs: {
        toolCalls: [
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
    const pending = await runSteps(threadId, paused.id);
    expect(pending.nodes.map((s) => [s.type, s.status, s.completedAt])).toEqual([
      ['tool_calls', 'in_progress', null],
    ]);
    expect(pending.nodes[0]?.stepDetails.toolCalls?.map((call) => call.function.output)).toEqual([
      null,
      null,
    ]);

    const missing = await t.graphql(SUBMIT_TOOL_OUTPUTS, {
      threadId,
      id: paused.id,
      toolOutputs: [{ toolCallId: 'call_paris', output: '18C' }],
    });
    expect(missing.status).toBe(400);
    expect(firstError(missing).extensions).toMatchObject({
      code: 'INVALID_REQUEST',
      param: 'toolOutputs',
    });

    upstream.script({ text: 'Paris 18C, Rome 24C.' });
    const submitted = dataOf(
      await t.graphql<{ submitToolOutputs: Run }>(SUBMIT_TOOL_OUTPUTS, {
        threadId,
        id: paused.id,
        toolOutputs: [
          { toolCallId: 'call_rome', output: '24C' },
          { toolCallId: 'call_paris', output: '18C' },
        ],
      }),
    ).submitToolOutputs;
    expect(submitted.requiredAction).toBeNull();
    expect(['queued', 'in_progress', 'completed']).toContain(submitted.status);

    const done = await waitForRun(threadId, paused.id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(upstream.requests.at(-1)?.body.messages.slice(-2)).toEqual([
      { role: 'tool', tool_call_id: 'call_paris', content: '18C' },
      { role: 'tool', tool_call_id: 'call_rome', content: '24C' },
    ]);

    const steps = await runSteps(threadId, done.id);
    expect(steps.nodes.map((s) => [s.type, s.status])).toEqual([
      ['tool_calls', 'completed'],
      ['message_creation', 'completed'],
    ]);
    expect(steps.nodes[0]?.stepDetails).toEqual({
      type: 'tool_calls',
      messageCreation: null,
      toolCalls: [
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
    const [answer] = await messages(threadId, done.id);
    expect(steps.nodes[1]?.stepDetails.messageCreation?.messageId).toBe(answer?.id);
    expect(answer?.content).toEqual([{ type: 'text', text: { value: 'Paris 18C, Rome 24C.' } }]);

    const again = await t.graphql(SUBMIT_TOOL_OUTPUTS, {
      threadId,
      id: done.id,
      toolOutputs: [{ toolCallId: 'call_paris', output: 'again' }],
    });
    expect(firstError(again).extensions?.code).toBe('INVALID_REQUEST');
  });

  it('cancels a run whose upstream call hangs, aborting the call', async () => {
    const { assistantId, threadId } = await assistantAndThread();
    upstream.script({ text: ['partial '], hang: true });
    const requestsBefore = upstream.requests.length;
    const run = await createRun(threadId, { assistantId });
    const hung = await upstream.waitForRequest(requestsBefore + 1);

    const cancelling = dataOf(
      await t.graphql<{ cancelRun: Run }>(CANCEL_RUN, { threadId, id: run.id }),
    ).cancelRun;
    expect(['cancelling', 'cancelled']).toContain(cancelling.status);
    const cancelled = await waitForRun(threadId, run.id, ['cancelled', 'completed', 'failed']);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.cancelledAt).not.toBeNull();
    expect(cancelled.completedAt).toBeNull();
    expect(await hung.aborted).toBe(true);

    const steps = await runSteps(threadId, run.id);
    for (const step of steps.nodes) {
      expect(step.status).toBe('cancelled');
    }
    const again = await t.graphql(CANCEL_RUN, { threadId, id: run.id });
    expect(again.status).toBe(400);
    expect(firstError(again)).toMatchObject({
      message: "Cannot cancel run with status 'cancelled'.",
      extensions: { code: 'INVALID_REQUEST' },
    });
  });

  it('creates a thread with its messages and a run on it with createThreadAndRun', async () => {
    const { assistantId } = await assistantAndThread();
    upstream.script({ text: 'Sure.' });
    const requestsBefore = upstream.requests.length;
    const created = dataOf(
      await t.graphql<{ createThreadAndRun: Run }>(CREATE_THREAD_AND_RUN, {
        input: {
          assistantId,
          instructions: 'Override.',
          thread: { messages: [{ role: 'user', content: [text('Can you help?')] }] },
        },
      }),
    ).createThreadAndRun;
    expect(created.threadId).toMatch(/^thread_/);
    expect(created.instructions).toBe('Override.');

    const run = await waitForRun(created.threadId, created.id, ['completed', 'failed']);
    expect(run.status).toBe('completed');
    expect(upstream.requests[requestsBefore]?.body.messages).toEqual([
      { role: 'system', content: 'Override.' },
      { role: 'user', content: [{ type: 'text', text: 'Can you help?' }] },
    ]);
    const thread = await messages(created.threadId);
    expect(thread.map((m) => [m.role, m.runId, m.content[0]?.text?.value])).toEqual([
      ['user', null, 'Can you help?'],
      ['assistant', run.id, 'Sure.'],
    ]);
  });

  it('updates a run’s metadata whatever its status', async () => {
    const { assistantId, threadId } = await assistantAndThread();
    upstream.script({ text: 'ok' });
    const created = await createRun(threadId, { assistantId, metadata: { a: '1' } });
    const run = await waitForRun(threadId, created.id, ['completed', 'failed']);
    expect(run.status).toBe('completed');

    const updated = dataOf(
      await t.graphql<{ updateRun: Run }>(UPDATE_RUN, {
        threadId,
        id: run.id,
        metadata: { b: '2' },
      }),
    ).updateRun;
    expect(updated).toEqual({ ...run, metadata: { b: '2' } });
    expect(await getRun(threadId, run.id)).toEqual(updated);

    const tooLong = await t.graphql(UPDATE_RUN, {
      threadId,
      id: run.id,
      metadata: { key: 'x'.repeat(513) },
    });
    expect(firstError(tooLong).extensions).toMatchObject({
      code: 'INVALID_REQUEST',
      param: 'metadata.key',
    });
    expect((await getRun(threadId, run.id)).metadata).toEqual({ b: '2' });
  });
});

describe('run validation over GraphQL', () => {
  it('rejects maxPromptTokens under 256 as INVALID_REQUEST naming maxPromptTokens, creating no run', async () => {
    const { assistantId, threadId } = await assistantAndThread();
    const response = await t.graphql(CREATE_RUN, {
      threadId,
      input: { assistantId, maxPromptTokens: 100 },
    });
    expect(response.status).toBe(400);
    expect(firstError(response).extensions).toMatchObject({
      code: 'INVALID_REQUEST',
      param: 'maxPromptTokens',
    });
    const runs = dataOf(
      await t.graphql<{ runs: { nodes: unknown[] } }>(LIST_RUNS, { threadId }),
    ).runs;
    expect(runs.nodes).toEqual([]);
  });

  it('rejects a function toolChoice without its function, naming toolChoice.function', async () => {
    const { assistantId, threadId } = await assistantAndThread({ tools: [weatherTool] });
    const response = await t.graphql(CREATE_RUN, {
      threadId,
      input: { assistantId, toolChoice: { type: 'function' } },
    });
    expect(response.status).toBe(400);
    expect(firstError(response).extensions).toMatchObject({
      code: 'INVALID_REQUEST',
      param: 'toolChoice.function',
    });
    const runs = dataOf(
      await t.graphql<{ runs: { nodes: unknown[] } }>(LIST_RUNS, { threadId }),
    ).runs;
    expect(runs.nodes).toEqual([]);

    upstream.script({ text: 'Checking.' });
    const named = await createRun(threadId, {
      assistantId,
      toolChoice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(named.toolChoice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect((await waitForRun(threadId, named.id, ['completed', 'failed'])).status).toBe(
      'completed',
    );
    expect(upstream.requests.at(-1)?.body.tool_choice).toEqual({
      type: 'function',
      function: { name: 'get_weather' },
    });
  });

  it('refuses a second run while one is active as CONFLICT, with OpenAI’s message', async () => {
    const { assistantId, threadId } = await assistantAndThread();
    upstream.script({ text: ['partial '], hang: true });
    const requestsBefore = upstream.requests.length;
    const run = await createRun(threadId, { assistantId });
    await upstream.waitForRequest(requestsBefore + 1);

    const second = await t.graphql(CREATE_RUN, { threadId, input: { assistantId } });
    expect(second.status).toBe(400);
    expect(firstError(second)).toMatchObject({
      message: `Thread ${threadId} already has an active run ${run.id}.`,
      extensions: { code: 'CONFLICT' },
    });
    const runs = dataOf(
      await t.graphql<{ runs: { nodes: { id: string }[] } }>(LIST_RUNS, { threadId }),
    ).runs;
    expect(runs.nodes.map((r) => r.id)).toEqual([run.id]);

    await cancelAndWait(threadId, run.id);
    upstream.script({ text: 'free again' });
    const next = await createRun(threadId, { assistantId });
    expect((await waitForRun(threadId, next.id, ['completed', 'failed'])).status).toBe('completed');
  });
});
