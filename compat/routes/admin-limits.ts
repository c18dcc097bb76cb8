import { RestError } from '../errors.js';
import {
  GetProjectBudgetDocument,
  ListRateLimitsDocument,
  type RateLimitFieldsFragment,
  UpdateProjectBudgetDocument,
  UpdateRateLimitDocument,
} from '../generated/operations.js';
import { adminPage } from '../list.js';
import type { Route } from '../router.js';
import { serializeList } from '../serializers.js';

const PROJECT = '/organization/projects/:project_id';

function serializeRateLimit(limit: RateLimitFieldsFragment): Record<string, unknown> {
  return {
    object: 'project.rate_limit',
    id: limit.id,
    model: limit.model,
    max_requests_per_1_minute: limit.maxRequestsPer1Minute,
    max_tokens_per_1_minute: limit.maxTokensPer1Minute,
  };
}

/** OpenAI's hard spend limit: the budget's cents, enforced from the providers' prices. */
function serializeSpendLimit(cents: number | null | undefined): Record<string, unknown> {
  return {
    object: 'project.spend_limit',
    threshold_amount: cents ?? 0,
    currency: 'USD',
    interval: 'month',
    enforcement: { status: cents == null ? 'inactive' : 'enforcing' },
  };
}

/** Only what OpenAI supports: US dollars, per month. */
function assertSupported(body: Record<string, unknown>): void {
  for (const [param, supported] of [
    ['currency', 'USD'],
    ['interval', 'month'],
  ] as const) {
    if (body[param] !== supported) {
      throw new RestError(400, `Invalid value for '${param}': only '${supported}' is supported.`, {
        param,
        code: 'invalid_value',
      });
    }
  }
}

export const adminLimitRoutes: Route[] = [
  {
    method: 'GET',
    path: `${PROJECT}/rate_limits`,
    beta: false,
    async handle({ params, query, run }) {
      const page = adminPage(query);
      const data = await run(ListRateLimitsDocument, { projectId: params.project_id, ...page });
      return serializeList(data.project.rateLimits, serializeRateLimit, page);
    },
  },
  {
    method: 'POST',
    path: `${PROJECT}/rate_limits/:rate_limit_id`,
    beta: false,
    async handle({ params, body, run }) {
      const data = await run(UpdateRateLimitDocument, {
        projectId: params.project_id,
        id: params.rate_limit_id,
        input: {
          maxRequestsPer1Minute: body.max_requests_per_1_minute,
          maxTokensPer1Minute: body.max_tokens_per_1_minute,
        },
      });
      return serializeRateLimit(data.updateRateLimit);
    },
  },
  {
    method: 'GET',
    path: `${PROJECT}/spend_limit`,
    beta: false,
    async handle({ params, run }) {
      const data = await run(GetProjectBudgetDocument, { projectId: params.project_id });
      return serializeSpendLimit(data.project.budget.spendLimitCents);
    },
  },
  {
    method: 'POST',
    path: `${PROJECT}/spend_limit`,
    beta: false,
    async handle({ params, body, run }) {
      assertSupported(body);
      const data = await run(UpdateProjectBudgetDocument, {
        projectId: params.project_id,
        input: { spendLimitCents: body.threshold_amount },
      });
      return serializeSpendLimit(data.updateProjectBudget.spendLimitCents);
    },
  },
  {
    method: 'DELETE',
    path: `${PROJECT}/spend_limit`,
    beta: false,
    async handle({ params, run }) {
      await run(UpdateProjectBudgetDocument, {
        projectId: params.project_id,
        input: { spendLimitCents: null },
      });
      return { object: 'project.spend_limit.deleted', deleted: true };
    },
  },
];
