import { unknownParameter } from '../body-fields.js';
import { RestError } from '../errors.js';
import {
  CancelResponseDocument,
  CompactResponseDocument,
  CountResponseInputTokensDocument,
  CreateResponseDocument,
  DeleteResponseDocument,
  GetResponseDocument,
  ListResponseInputItemsDocument,
  ResponseEventsDocument,
} from '../generated/operations.js';
import { itemList, pageVariables } from '../list.js';
import type { Route, RouteRequest } from '../router.js';
import { EventStream } from '../stream.js';

/** The create body's fields as the GraphQL input names them; JSON fields pass as they are. */
const CREATE_FIELDS = {
  model: 'model',
  input: 'input',
  instructions: 'instructions',
  temperature: 'temperature',
  top_p: 'topP',
  max_output_tokens: 'maxOutputTokens',
  metadata: 'metadata',
  store: 'store',
  background: 'background',
  previous_response_id: 'previousResponseId',
  conversation: 'conversation',
  tools: 'tools',
  tool_choice: 'toolChoice',
  parallel_tool_calls: 'parallelToolCalls',
  text: 'text',
  include: 'include',
  truncation: 'truncation',
} as const;

/** Accepted and not acted on (yet): OpenAI's optional knobs a client may send by default. */
const IGNORED_FIELDS = new Set([
  'stream',
  'stream_options',
  'reasoning',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'service_tier',
  'top_logprobs',
]);

/** The fields of `POST /responses/input_tokens`: those of a create that make the prompt. */
const COUNT_FIELDS = {
  model: 'model',
  input: 'input',
  instructions: 'instructions',
  previous_response_id: 'previousResponseId',
  conversation: 'conversation',
  tools: 'tools',
  tool_choice: 'toolChoice',
  parallel_tool_calls: 'parallelToolCalls',
  text: 'text',
  truncation: 'truncation',
} as const;

/** Accepted by input_tokens and not counted: they do not change what the model reads. */
const COUNT_IGNORED = new Set(['reasoning', 'personality']);

/** The fields of `POST /responses/compact`: the history to summarise and who summarises it. */
const COMPACT_FIELDS = {
  model: 'model',
  input: 'input',
  instructions: 'instructions',
  previous_response_id: 'previousResponseId',
} as const;

/** Accepted by compact and not acted on: prompt caching and tiers are the upstream's business. */
const COMPACT_IGNORED = new Set([
  'prompt_cache_key',
  'prompt_cache_retention',
  'prompt_cache_options',
  'service_tier',
]);

function createInput(
  body: Record<string, unknown>,
  fields: Record<string, string> = CREATE_FIELDS,
  ignored: ReadonlySet<string> = IGNORED_FIELDS,
): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    const name = fields[field];
    if (name) {
      if (value !== null) {
        input[name] = value;
      }
    } else if (!ignored.has(field)) {
      throw unknownParameter(field);
    }
  }
  return input;
}

/** The response's events after `afterSequence` as OpenAI's SSE stream (no `[DONE]`). */
async function eventStream(
  subscribe: RouteRequest['subscribe'],
  id: string,
  afterSequence: number,
): Promise<EventStream> {
  const items = await subscribe(ResponseEventsDocument, { id, afterSequence });
  return new EventStream(
    (async function* () {
      for await (const item of items) {
        yield { event: item.responseEvents.type, data: item.responseEvents.data };
      }
    })(),
    () => items.return(undefined),
    false,
  );
}

function startingAfter(query: RouteRequest['query']): number {
  const value = query.starting_after;
  if (value === undefined) {
    return -1;
  }
  const number = typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isInteger(number) || number < -1) {
    throw new RestError(400, `Invalid 'starting_after': expected an integer.`, {
      param: 'starting_after',
      code: 'invalid_type',
    });
  }
  return number;
}

export const responseRoutes: Route[] = [
  {
    method: 'POST',
    path: '/responses',
    beta: false,
    async handle({ body, run, subscribe }) {
      const stream = body.stream === true;
      const data = await run(CreateResponseDocument, { input: createInput(body), wait: !stream });
      return stream
        ? eventStream(subscribe, data.createResponse.id, -1)
        : data.createResponse.openai;
    },
  },
  {
    method: 'POST',
    path: '/responses/input_tokens',
    beta: false,
    async handle({ body, run }) {
      const data = await run(CountResponseInputTokensDocument, {
        input: createInput(body, COUNT_FIELDS, COUNT_IGNORED),
      });
      return { object: 'response.input_tokens', input_tokens: data.responseInputTokens };
    },
  },
  {
    method: 'POST',
    path: '/responses/compact',
    beta: false,
    async handle({ body, run }) {
      const data = await run(CompactResponseDocument, {
        input: createInput(body, COMPACT_FIELDS, COMPACT_IGNORED),
      });
      return data.compactResponse;
    },
  },
  {
    method: 'GET',
    path: '/responses/:response_id',
    beta: false,
    async handle({ params, query, run, subscribe }) {
      const include = query.include;
      const data = await run(GetResponseDocument, {
        id: params.response_id,
        // `include[]=a&include[]=b`, or a single `include=a`.
        include: include === undefined ? null : typeof include === 'string' ? [include] : include,
      });
      const response = data.response;
      if (!response) {
        throw new RestError(404, `Response with id '${params.response_id}' not found.`);
      }
      return query.stream === 'true'
        ? eventStream(subscribe, response.id, startingAfter(query))
        : response.openai;
    },
  },
  {
    method: 'DELETE',
    path: '/responses/:response_id',
    beta: false,
    async handle({ params, run }) {
      const data = await run(DeleteResponseDocument, { id: params.response_id });
      return { id: data.deleteResponse.id, object: 'response', deleted: true };
    },
  },
  {
    method: 'POST',
    path: '/responses/:response_id/cancel',
    beta: false,
    async handle({ params, run }) {
      const data = await run(CancelResponseDocument, { id: params.response_id });
      return data.cancelResponse.openai;
    },
  },
  {
    method: 'GET',
    path: '/responses/:response_id/input_items',
    beta: false,
    async handle({ params, query, run }) {
      const page = pageVariables(query);
      const data = await run(ListResponseInputItemsDocument, {
        id: params.response_id,
        after: page.after,
        limit: page.first,
        order: page.order,
      });
      return itemList(data.responseInputItems.data, data.responseInputItems.hasMore);
    },
  },
];
