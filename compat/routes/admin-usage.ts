import {
  CodeInterpreterSessionUsageDocument,
  CostsDocument,
  type UsageQuery as UsageData,
  UsageDocument,
  VectorStoreUsageDocument,
} from '../generated/operations.js';
import type { Route } from '../router.js';

type Json = Record<string, unknown>;
type Result = UsageData['usage']['buckets'][number]['results'][number];

/** A query value that may come once (`group_by=model`) or as a list (`group_by[]=model`). */
function list(value: unknown): unknown {
  if (value === undefined) {
    return undefined;
  }
  return Array.isArray(value) ? value : [value];
}

/** Integers arrive as text; anything else goes on as sent, for GraphQL to refuse (400). */
function integer(value: unknown): unknown {
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
}

const RESULTS = {
  completions: (result: Result): Json => ({
    object: 'organization.usage.completions.result',
    input_tokens: result.inputTokens,
    input_cached_tokens: result.inputCachedTokens,
    output_tokens: result.outputTokens,
    num_model_requests: result.numModelRequests,
    project_id: result.projectId,
    api_key_id: result.apiKeyId,
    model: result.model,
  }),
  embeddings: (result: Result): Json => ({
    object: 'organization.usage.embeddings.result',
    input_tokens: result.inputTokens,
    num_model_requests: result.numModelRequests,
    project_id: result.projectId,
    api_key_id: result.apiKeyId,
    model: result.model,
  }),
};

/** The query fields usage and costs share, as GraphQL variables (checked there). */
function bucketQuery(query: Record<string, unknown>) {
  return {
    startTime: integer(query.start_time),
    endTime: integer(query.end_time),
    bucketWidth: query.bucket_width,
    groupBy: list(query.group_by),
    projectIds: list(query.project_ids),
    apiKeyIds: list(query.api_key_ids),
    limit: integer(query.limit),
    page: query.page,
  };
}

function usageRoute(kind: keyof typeof RESULTS): Route {
  return {
    method: 'GET',
    path: `/organization/usage/${kind}`,
    beta: false,
    async handle({ query, run }) {
      const data = await run(UsageDocument, {
        kind,
        ...bucketQuery(query),
        models: list(query.models),
      });
      return pageOf(data.usage, RESULTS[kind]);
    },
  };
}

/** OpenAI's page of buckets. */
function pageOf<T>(
  page: {
    buckets: { startTime: number; endTime: number; results: T[] }[];
    hasMore: boolean;
    nextPage?: string | null;
  },
  result: (value: T) => Json,
): Json {
  return {
    object: 'page',
    data: page.buckets.map((bucket) => ({
      object: 'bucket',
      start_time: bucket.startTime,
      end_time: bucket.endTime,
      results: bucket.results.map(result),
    })),
    has_more: page.hasMore,
    next_page: page.nextPage ?? null,
  };
}

const costsRoute: Route = {
  method: 'GET',
  path: '/organization/costs',
  beta: false,
  async handle({ query, run }) {
    const data = await run(CostsDocument, bucketQuery(query));
    return pageOf(data.costs, (result) => ({
      object: 'organization.costs.result',
      amount: { value: result.amountUsd, currency: 'usd' },
      line_item: result.lineItem,
      project_id: result.projectId,
      api_key_id: result.apiKeyId,
      quantity: result.quantity,
    }));
  },
};

/** The query fields of the usage grouped by project only (vector stores, code interpreter). */
function projectUsageQuery(query: Record<string, unknown>) {
  const { apiKeyIds: _byKey, ...fields } = bucketQuery(query);
  return fields;
}

const vectorStoresRoute: Route = {
  method: 'GET',
  path: '/organization/usage/vector_stores',
  beta: false,
  async handle({ query, run }) {
    const data = await run(VectorStoreUsageDocument, projectUsageQuery(query));
    return pageOf(data.vectorStoreUsage, (result) => ({
      object: 'organization.usage.vector_stores.result',
      usage_bytes: result.usageBytes,
      project_id: result.projectId,
    }));
  },
};

const codeInterpreterSessionsRoute: Route = {
  method: 'GET',
  path: '/organization/usage/code_interpreter_sessions',
  beta: false,
  async handle({ query, run }) {
    const data = await run(CodeInterpreterSessionUsageDocument, projectUsageQuery(query));
    return pageOf(data.codeInterpreterSessionUsage, (result) => ({
      object: 'organization.usage.code_interpreter_sessions.result',
      num_sessions: result.numSessions,
      project_id: result.projectId,
    }));
  },
};

export const adminUsageRoutes: Route[] = [
  usageRoute('completions'),
  usageRoute('embeddings'),
  vectorStoresRoute,
  codeInterpreterSessionsRoute,
  costsRoute,
];
