import { isTerminal } from '../../src/services/runs/run-status.js';
import { camelize } from '../case.js';
import { RestError } from '../errors.js';
import {
  CancelRunDocument,
  CreateRunDocument,
  CreateThreadAndRunDocument,
  GetRunDocument,
  GetRunStepDocument,
  ListRunStepsDocument,
  ListRunsDocument,
  RunEventsDocument,
  type RunFieldsFragment,
  SubmitToolOutputsDocument,
  UpdateRunDocument,
} from '../generated/operations.js';
import { createRunInput, createThreadAndRunInput } from '../inputs.js';
import { pageVariables } from '../list.js';
import { JsonResponse, type Route, type RouteRequest } from '../router.js';
import {
  DEFAULT_STEP_VIEW,
  type StepView,
  serializeRun,
  serializeRunStep,
} from '../run-serializers.js';
import { serializeList } from '../serializers.js';
import { EventStream, openAIEvents } from '../stream.js';

/**
 * How soon the SDK's polling helpers (`createAndPoll`, …) should ask again. Without it they
 * sleep 5 s between polls.
 */
const POLL_AFTER_MS = '150';

function runResponse(run: RunFieldsFragment): JsonResponse {
  const headers: Record<string, string> = isTerminal(run.status)
    ? {}
    : { 'openai-poll-after-ms': POLL_AFTER_MS };
  return new JsonResponse(serializeRun(run), headers);
}

/**
 * The run's events from after `afterSeq` as OpenAI's SSE stream, through the same GraphQL
 * subscription GraphQL clients use.
 */
async function eventStream(
  subscribe: RouteRequest['subscribe'],
  threadId: string,
  runId: string,
  afterSeq: number,
  view: StepView = DEFAULT_STEP_VIEW,
): Promise<EventStream> {
  const items = await subscribe(RunEventsDocument, {
    threadId,
    runId,
    afterSeq,
  });
  return new EventStream(
    openAIEvents(
      (async function* () {
        for await (const item of items) {
          yield item.runEvents;
        }
      })(),
      view,
    ),
    // Ends the subscription itself: the generators above would only hear of it at the next event.
    () => items.return(undefined),
  );
}

/** The SDK decides by the body's `stream` flag (it sends `Accept: application/json` anyway). */
function wantsStream(body: Record<string, unknown>): boolean {
  return body.stream === true;
}

function includeParam(query: RouteRequest['query']): unknown {
  return query.include;
}

const INCLUDE_FILE_SEARCH_CONTENT = 'step_details.tool_calls[*].file_search.results[*].content';

/**
 * `include[]` of the steps endpoints: its one allowed value shows file_search passages. (Create
 * run validates the same parameter in the run service, which stores it.)
 */
function stepView(query: RouteRequest['query']): StepView {
  const include = query.include;
  if (include === undefined) {
    return DEFAULT_STEP_VIEW;
  }
  const values = Array.isArray(include) ? include : [include];
  values.forEach((value, index) => {
    if (value !== INCLUDE_FILE_SEARCH_CONTENT) {
      throw new RestError(
        400,
        `Invalid value for 'include[${index}]': expected '${INCLUDE_FILE_SEARCH_CONTENT}'.`,
        { param: `include[${index}]`, code: 'invalid_value' },
      );
    }
  });
  return { fileSearchContent: values.length > 0 };
}

export const runRoutes: Route[] = [
  {
    method: 'POST',
    path: '/threads/runs',
    beta: true,
    async handle({ body, run, subscribe }) {
      const data = await run(CreateThreadAndRunDocument, {
        input: createThreadAndRunInput(body),
      });
      const created = data.createThreadAndRun;
      return wantsStream(body)
        ? eventStream(subscribe, created.threadId, created.id, 0)
        : runResponse(created);
    },
  },
  {
    method: 'POST',
    path: '/threads/:thread_id/runs',
    beta: true,
    async handle({ params, body, query, run, subscribe }) {
      const data = await run(CreateRunDocument, {
        threadId: params.thread_id,
        input: createRunInput(body, includeParam(query)),
      });
      return wantsStream(body)
        ? eventStream(subscribe, data.createRun.threadId, data.createRun.id, 0, stepView(query))
        : runResponse(data.createRun);
    },
  },
  {
    method: 'GET',
    path: '/threads/:thread_id/runs',
    beta: true,
    async handle({ params, query, run }) {
      const page = pageVariables(query);
      const data = await run(ListRunsDocument, { threadId: params.thread_id, ...page });
      return serializeList(data.runs, serializeRun, page);
    },
  },
  {
    method: 'GET',
    path: '/threads/:thread_id/runs/:run_id',
    beta: true,
    async handle({ params, run }) {
      const data = await run(GetRunDocument, {
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
      const data = await run(UpdateRunDocument, {
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
      const data = await run(CancelRunDocument, {
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
    async handle({ params, body, run, subscribe }) {
      const data = await run(SubmitToolOutputsDocument, {
        threadId: params.thread_id,
        id: params.run_id,
        toolOutputs: camelize(body.tool_outputs),
      });
      const queued = data.submitToolOutputs;
      // OpenAI's second stream begins with the tool step's completion: the event just before the
      // queued run's own (the mutation's documented contract).
      return wantsStream(body)
        ? eventStream(subscribe, queued.threadId, queued.id, queued.eventSeq - 2)
        : runResponse(queued);
    },
  },
  {
    method: 'GET',
    path: '/threads/:thread_id/runs/:run_id/steps',
    beta: true,
    async handle({ params, query, run }) {
      const page = pageVariables(query);
      const data = await run(ListRunStepsDocument, {
        threadId: params.thread_id,
        runId: params.run_id,
        ...page,
      });
      const view = stepView(query);
      return serializeList(data.runSteps, (step) => serializeRunStep(step, view), page);
    },
  },
  {
    method: 'GET',
    path: '/threads/:thread_id/runs/:run_id/steps/:step_id',
    beta: true,
    async handle({ params, query, run }) {
      const data = await run(GetRunStepDocument, {
        threadId: params.thread_id,
        runId: params.run_id,
        id: params.step_id,
      });
      return serializeRunStep(data.runStep, stepView(query));
    },
  },
];
