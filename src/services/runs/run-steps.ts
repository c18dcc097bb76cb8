import type { ServiceContext } from '../../context.js';
import { NotFoundError } from '../../errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { type PageInput, paginate } from '../common/pagination.js';
import { namesNothing } from '../common/validation.js';
import { getRun } from './runs.js';

type StepQuery = Pick<Prisma.RunStepFindFirstArgs, 'select' | 'include'>;

export async function listRunSteps(
  ctx: ServiceContext,
  threadId: string,
  runId: string,
  page?: PageInput,
  query: StepQuery = {},
) {
  await getRun(ctx, threadId, runId, { select: { id: true } });
  const scope = { runId, projectId: ctx.actor.projectId };
  return paginate(page, {
    seqOf: async (id) =>
      (await ctx.db.runStep.findFirst({ where: { ...scope, id }, select: { seq: true } }))?.seq ??
      null,
    fetch: ({ seq, orderBy, take }) =>
      ctx.db.runStep.findMany({ ...query, where: { ...scope, seq }, orderBy, take }),
  });
}

export async function getRunStep(
  ctx: ServiceContext,
  threadId: string,
  runId: string,
  id: string,
  query: StepQuery = {},
) {
  await getRun(ctx, threadId, runId, { select: { id: true } });
  const step = namesNothing(id)
    ? null
    : await ctx.db.runStep.findFirst({
        ...query,
        where: { id, runId, projectId: ctx.actor.projectId },
      });
  if (!step) {
    throw new NotFoundError(`No run step found with id '${id}'.`);
  }
  return step;
}
