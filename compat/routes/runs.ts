import { camelize } from '../case.js';
import { RestError } from '../errors.js';
import { createRunInput, createThreadAndRunInput } from '../inputs.js';
import { pageVariables } from '../list.js';
import { JsonResponse, type Route, type RouteRequest } from '../router.js';
import {
  type RunData,
  type RunStepData,
  serializeRun,
  serializeRunStep,
  TERMINAL_STATUSES,
} from '../run-serializers.js';
import { type PageData, serializeList } from '../serializers.js';

/**
 * How soon the SDK's polling helpers (`createAndPoll`, …) should ask again. Without it they
 * sleep 5 s between polls.
 */
const POLL_AFTER_MS = '150';

function runResponse(run: RunData): JsonResponse {
  const headers: Record<string, string> = TERMINAL_STATUSES.has(run.status)
    ? {}
    : { 'openai-poll-after-ms': POLL_AFTER_MS };
  return new JsonResponse(serializeRun(run), headers);
}

/** Streaming (`stream: true`) arrives with live runs (issue #5); until then, say so clearly. */
function refuseStream(body: Record<string, unknown>): void {
  if (body.stream === true) {
    throw new RestError(
      400,
      'Streaming runs (stream: true) are not supported by this server yet.',
      {
        param: 'stream',
        code: 'unsupported_parameter',
      },
    );
  }
}

function includeParam(query: RouteRequest['query']): unknown {
  return query.include;
}

export const runRoutes: Route[] = [
  {
    method: 'POST',
    path: '/threads/runs',
    beta: true,
    async handle({ body, run }) {
      refuseStream(body);
      const data = await run<{ createThreadAndRun: RunData }>('CreateThreadAndRun', {
        input: createThreadAndRunInput(body),
      });
      return runResponse(data.createThreadAndRun);
    },
  },
  {
    method: 'POST',
    path: '/threads/:thread_id/runs',
    beta: true,
    async handle({ params, body, query, run }) {
      refuseStream(body);
      const data = await run<{ createRun: RunData }>('CreateRun', {
        threadId: params.thread_id,
        input: createRunInput(body, includeParam(query)),
      });
      return runResponse(data.createRun);
    },
  },
  {
    method: 'GET',
    path: '/threads/:thread_id/runs',
    beta: true,
    async handle({ params, query, run }) {
      const data = await run<{ runs: PageData<RunData> }>('ListRuns', {
        threadId: params.thread_id,
        ...pageVariables(query),
      });
      return serializeList(data.runs, serializeRun);
    },
  },
  {
    method: 'GET',
    path: '/threads/:thread_id/runs/:run_id',
    beta: true,
    async handle({ params, run }) {
      const data = await run<{ run: RunData }>('GetRun', {
        threadId: params.thread_id,
        id: params.run_id,
      });
      return runResponse(data.run);
    },
  },
  {
    method: 'POST',
    path: '/threads/:thread_id/runs/:run_id',
    beta: true,
    async handle({ params, body, run }) {
      const data = await run<{ updateRun: RunData }>('UpdateRun', {
        threadId: params.thread_id,
        id: params.run_id,
        metadata: body.metadata,
      });
      return runResponse(data.updateRun);
    },
  },
  {
    method: 'POST',
    path: '/threads/:thread_id/runs/:run_id/cancel',
    beta: true,
    async handle({ params, run }) {
      const data = await run<{ cancelRun: RunData }>('CancelRun', {
        threadId: params.thread_id,
        id: params.run_id,
      });
      return runResponse(data.cancelRun);
    },
  },
  {
    method: 'POST',
    path: '/threads/:thread_id/runs/:run_id/submit_tool_outputs',
    beta: true,
    async handle({ params, body, run }) {
      refuseStream(body);
      const data = await run<{ submitToolOutputs: RunData }>('SubmitToolOutputs', {
        threadId: params.thread_id,
        id: params.run_id,
        toolOutputs: camelize(body.tool_outputs),
      });
      return runResponse(data.submitToolOutputs);
    },
  },
  {
    method: 'GET',
    path: '/threads/:thread_id/runs/:run_id/steps',
    beta: true,
    async handle({ params, query, run }) {
      const data = await run<{ runSteps: PageData<RunStepData> }>('ListRunSteps', {
        threadId: params.thread_id,
        runId: params.run_id,
        ...pageVariables(query),
      });
      return serializeList(data.runSteps, serializeRunStep);
    },
  },
  {
    method: 'GET',
    path: '/threads/:thread_id/runs/:run_id/steps/:step_id',
    beta: true,
    async handle({ params, run }) {
      const data = await run<{ runStep: RunStepData }>('GetRunStep', {
        threadId: params.thread_id,
        runId: params.run_id,
        id: params.step_id,
      });
      return serializeRunStep(data.runStep);
    },
  },
];
