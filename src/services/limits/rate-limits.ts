import { z } from 'zod';
import type { ServiceContext } from '../../context.js';
import { InvalidRequestError } from '../../errors.js';
import { recordAdminAction } from '../admin/audit-log.js';
import { getProject } from '../admin/projects.js';
import { type PageInput, paginate } from '../common/pagination.js';
import { parseInput } from '../common/validation.js';

/** The model of a project's default rate limit: every model without an entry of its own. */
export const DEFAULT_LIMIT_MODEL = '*';

const RATE_LIMIT_ID_PREFIX = 'rl-';

/** OpenAI's rate limit ids name their model: `rl-gpt-4o`, and `rl-*` for the default. */
export function rateLimitId(model: string): string {
  return `${RATE_LIMIT_ID_PREFIX}${model}`;
}

function modelOf(id: string): string {
  const model = id.startsWith(RATE_LIMIT_ID_PREFIX) ? id.slice(RATE_LIMIT_ID_PREFIX.length) : '';
  if (model === '') {
    throw new InvalidRequestError(
      `Invalid 'rate_limit_id': '${id}' is not 'rl-' followed by a model name (or '*').`,
      { param: 'rate_limit_id' },
    );
  }
  return model;
}

/** 0 lifts that limit. At most 2^31 − 1. */
const limitSchema = z.number().int().min(0).max(2_147_483_647).nullish();

const updateRateLimitSchema = z.object({
  maxRequestsPer1Minute: limitSchema,
  maxTokensPer1Minute: limitSchema,
});

export type UpdateRateLimitInput = z.input<typeof updateRateLimitSchema>;

/** A project's rate limits, oldest first by default. Admins only. */
export async function listRateLimits(ctx: ServiceContext, projectId: string, page?: PageInput) {
  await getProject(ctx, projectId, { select: { id: true } });
  return paginate(page, {
    seqOf: async (id) =>
      (
        await ctx.db.projectRateLimit.findUnique({
          where: { projectId_model: { projectId, model: modelOf(id) } },
          select: { seq: true },
        })
      )?.seq ?? null,
    fetch: ({ seq, orderBy, take }) =>
      ctx.db.projectRateLimit.findMany({ where: { projectId, seq }, orderBy, take }),
  });
}

/**
 * Sets a project's limit for one model (`rl-<model>`, or `rl-*` for its default), created on
 * first update; fields left out keep their value. Enforced at once on every server.
 */
export async function updateRateLimit(
  ctx: ServiceContext,
  projectId: string,
  id: string,
  input: UpdateRateLimitInput,
) {
  const data = parseInput(updateRateLimitSchema, input);
  const model = modelOf(id);
  await getProject(ctx, projectId, { select: { id: true } });
  const values = {
    maxRequestsPer1Minute: data.maxRequestsPer1Minute ?? undefined,
    maxTokensPer1Minute: data.maxTokensPer1Minute ?? undefined,
  };
  const limit = await ctx.db.projectRateLimit.upsert({
    where: { projectId_model: { projectId, model } },
    create: { projectId, model, ...values },
    update: values,
  });
  await recordAdminAction(ctx, 'rate_limit.updated', rateLimitId(model), { projectId, ...data });
  return limit;
}
