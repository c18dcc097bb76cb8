import { describe, expect, it } from 'vitest';
import type { GraphQLResponse, TestApp } from '../setup/app.js';
import { type AppWithUpstream, useAppWithUpstream } from '../setup/app-with-upstream.js';
import type { FakeUpstream } from '../setup/fake-upstream.js';
import { dataOf, firstError } from '../setup/graphql-response.js';
import { graphqlRuns } from './graphql-runs.js';
import {
  CANCEL_RUN,
  GET_RUN,
  LIST_RUNS,
  RUN_STEP,
  RUN_STEPS,
  SUBMIT_TOOL_OUTPUTS,
  UPDATE_RUN,
} from './run-operations.js';

let t: TestApp;
let upstream: FakeUpstream;
let started: AppWithUpstream;

useAppWithUpstream({}, (app) => {
  started = app;
  ({ t, upstream } = app);
});
const { getRun, waitForRun, runSteps, pausedRun } = graphqlRuns(() => started);

describe('tenancy of runs over GraphQL', () => {
  it('hides a run from another project’s key: reading, cancelling and submitting are NOT_FOUND', async () => {
    const { threadId, run } = await pausedRun('call_private');
    const [step] = (await runSteps(threadId, run.id)).nodes;
    const other = await t.createOtherProject();
    const as = { apiKey: other.apiKey };

    const attempts: [string, GraphQLResponse<unknown>][] = [
      ['run', await t.graphql(GET_RUN, { threadId, id: run.id }, as)],
      ['runs', await t.graphql(LIST_RUNS, { threadId }, as)],
      ['runSteps', await t.graphql(RUN_STEPS, { threadId, runId: run.id }, as)],
      ['runStep', await t.graphql(RUN_STEP, { threadId, runId: run.id, id: step?.id }, as)],
      ['cancelRun', await t.graphql(CANCEL_RUN, { threadId, id: run.id }, as)],
      [
        'submitToolOutputs',
        await t.graphql(
          SUBMIT_TOOL_OUTPUTS,
          { threadId, id: run.id, toolOutputs: [{ toolCallId: 'call_private', output: 'x' }] },
          as,
        ),
      ],
      [
        'updateRun',
        await t.graphql(UPDATE_RUN, { threadId, id: run.id, metadata: { a: 'b' } }, as),
      ],
    ];
    for (const [field, response] of attempts) {
      // 200 when a nullable lookup leaves data; 404 when the error nulls the whole result.
      expect(response.status, field).toBe(response.data ? 200 : 404);
      expect(firstError(response).extensions?.code, field).toBe('NOT_FOUND');
      expect(JSON.stringify(response.data ?? null), field).not.toContain(run.id);
    }

    const untouched = await getRun(threadId, run.id);
    expect(untouched.status).toBe('requires_action');
    expect(untouched.metadata).toEqual({});
    upstream.script({ text: 'It is sunny in Oslo.' });
    dataOf(
      await t.graphql(SUBMIT_TOOL_OUTPUTS, {
        threadId,
        id: run.id,
        toolOutputs: [{ toolCallId: 'call_private', output: 'sunny' }],
      }),
    );
    expect((await waitForRun(threadId, run.id, ['completed', 'failed'])).status).toBe('completed');
  });
});
