// Shared setup for test/compat/runs-api.test.ts: runs in a given state, built through the
// official SDK against the test app, with the fake upstream scripted for each.
import type OpenAI from 'openai';
import { expect } from 'vitest';
import type { TestApp } from '../setup/app.js';

export { apiError } from '../setup/api-error.js';

import { assistantAndThread, weatherTool } from '../setup/factories.js';
import type { FakeUpstream } from '../setup/fake-upstream.js';
import { expectSpec } from '../setup/openapi.js';

export const FILE_SEARCH_CONTENT = 'step_details.tool_calls[*].file_search.results[*].content';

export type RunFixtures = ReturnType<typeof runFixtures>;

export function runFixtures(t: TestApp, upstream: FakeUpstream) {
  return {
    /** A terse gpt-4o assistant with `tools` and a thread saying hello. */
    assistantAndThread: (options: { tools?: OpenAI.Beta.AssistantTool[] } = {}) =>
      assistantAndThread(t, options),

    /** A completed run answering `answer`. */
    async completedRun(
      threadId: string,
      assistantId: string,
      answer = 'ok',
    ): Promise<OpenAI.Beta.Threads.Run> {
      upstream.script({ text: answer });
      const run = await t.openai.beta.threads.runs.createAndPoll(threadId, {
        assistant_id: assistantId,
      });
      expect(run.status).toBe('completed');
      return run;
    },

    /** A run paused in requires_action on one get_weather call with id `callId`. */
    async pausedRun(callId: string) {
      const { assistant, thread } = await assistantAndThread(t, { tools: [weatherTool] });
      upstream.script({
        toolCalls: [{ id: callId, name: 'get_weather', arguments: '{"city":"Oslo"}' }],
      });
      const run = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
        assistant_id: assistant.id,
      });
      expect(run.status).toBe('requires_action');
      return { assistant, thread, run };
    },

    /** GET of a raw list URL: the body is checked against the spec's list envelope `schema`. */
    async rawList(path: string, schema: string) {
      const response = await t.rest(path);
      const body = (await response.json()) as { data: { id: string }[]; has_more: boolean };
      expect(response.status).toBe(200);
      expectSpec(schema, body);
      return body;
    },
  };
}
