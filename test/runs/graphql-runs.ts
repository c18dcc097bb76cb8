import type { TestApp } from '../setup/app.js';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { weatherTool } from '../setup/factories.js';
import type { FakeUpstream } from '../setup/fake-upstream.js';
import { dataOf } from '../setup/graphql-response.js';
import {
  CANCEL_RUN,
  CREATE_ASSISTANT,
  CREATE_RUN,
  CREATE_THREAD,
  GET_RUN,
  MESSAGES,
  type Message,
  RUN_STEPS,
  type Run,
  type StepConnection,
  text,
} from './run-operations.js';

/**
 * The GraphQL run tests' steps (an assistant and a thread, a run, polling it, its steps and
 * messages), over the app a test file started: `app()` is read at each call, after beforeAll.
 */
export function graphqlRuns(app: () => AppWithUpstream) {
  const t = (): TestApp => app().t;
  const upstream = (): FakeUpstream => app().upstream;

  async function assistantAndThread(options: { tools?: unknown[] } = {}) {
    const assistant = dataOf(
      await t().graphql<{ createAssistant: { id: string } }>(CREATE_ASSISTANT, {
        input: { model: 'gpt-4o', instructions: 'You are terse.', tools: options.tools ?? [] },
      }),
    ).createAssistant;
    const thread = dataOf(
      await t().graphql<{ createThread: { id: string } }>(CREATE_THREAD, {
        input: { messages: [{ role: 'user', content: [text('Say hello')] }] },
      }),
    ).createThread;
    return { assistantId: assistant.id, threadId: thread.id };
  }

  async function createRun(threadId: string, input: Record<string, unknown>): Promise<Run> {
    return dataOf(await t().graphql<{ createRun: Run }>(CREATE_RUN, { threadId, input })).createRun;
  }

  async function getRun(threadId: string, id: string): Promise<Run> {
    return dataOf(await t().graphql<{ run: Run }>(GET_RUN, { threadId, id })).run;
  }

  /** Polls `run(threadId, id)` until its status is one of `statuses`, for at most 10 s. */
  async function waitForRun(threadId: string, id: string, statuses: string[]): Promise<Run> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const run = await getRun(threadId, id);
      if (statuses.includes(run.status)) {
        return run;
      }
      if (Date.now() > deadline) {
        throw new Error(`run ${id} is still ${run.status}, expected ${statuses.join(' or ')}`);
      }
    }
  }

  async function runSteps(threadId: string, runId: string): Promise<StepConnection> {
    return dataOf(
      await t().graphql<{ runSteps: StepConnection }>(RUN_STEPS, { threadId, runId, order: 'asc' }),
    ).runSteps;
  }

  async function messages(threadId: string, runId?: string): Promise<Message[]> {
    return dataOf(
      await t().graphql<{ messages: { nodes: Message[] } }>(MESSAGES, {
        threadId,
        runId,
        order: 'asc',
      }),
    ).messages.nodes;
  }

  /** A run paused in requires_action on one get_weather call with id `callId`. */
  async function pausedRun(callId: string) {
    const { assistantId, threadId } = await assistantAndThread({ tools: [weatherTool] });
    upstream().script({
      toolCalls: [{ id: callId, name: 'get_weather', arguments: '{"city":"Oslo"}' }],
    });
    const created = await createRun(threadId, { assistantId });
    const run = await waitForRun(threadId, created.id, ['requires_action']);
    return { assistantId, threadId, run };
  }

  /** Cancels a run and waits until it is cancelled, which frees its thread. */
  async function cancelAndWait(threadId: string, id: string): Promise<Run> {
    dataOf(await t().graphql(CANCEL_RUN, { threadId, id }));
    return waitForRun(threadId, id, ['cancelled']);
  }

  return {
    assistantAndThread,
    createRun,
    getRun,
    waitForRun,
    runSteps,
    messages,
    pausedRun,
    cancelAndWait,
  };
}
