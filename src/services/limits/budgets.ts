import { z } from 'zod';
import type { ServiceContext } from '../../context.js';
import { recordAdminAction } from '../admin/audit-log.js';
import { getProject } from '../admin/projects.js';
import { parseInput } from '../common/validation.js';

const budgetSchema = z.object({
  /** Input + output tokens per calendar month (UTC); null: no token budget. */
  monthlyTokenLimit: z.number().int().min(1).max(2_147_483_647).nullish(),
  /** OpenAI's hard spend limit in US cents per month; null: none. */
  spendLimitCents: z.number().int().min(1).max(2_147_483_647).nullish(),
});

export type UpdateProjectBudgetInput = z.input<typeof budgetSchema>;

export interface ProjectBudgetView {
  projectId: string;
  monthlyTokenLimit: number | null;
  spendLimitCents: number | null;
}

/** A project's budget; a project that set none has a budget of nulls. Admins only. */
export async function getProjectBudget(
  ctx: ServiceContext,
  projectId: string,
): Promise<ProjectBudgetView> {
  await getProject(ctx, projectId, { select: { id: true } });
  const budget = await ctx.db.projectBudget.findUnique({ where: { projectId } });
  return {
    projectId,
    monthlyTokenLimit: budget?.monthlyTokenLimit ?? null,
    spendLimitCents: budget?.spendLimitCents ?? null,
  };
}

/**
 * Sets the fields given (null clears one, absent keeps it). Requests that start model work are
 * refused once the month's usage reaches a limit, and a run that reaches it mid-way fails.
 */
export async function updateProjectBudget(
  ctx: ServiceContext,
  projectId: string,
  input: UpdateProjectBudgetInput,
): Promise<ProjectBudgetView> {
  const data = parseInput(budgetSchema, input);
  await getProject(ctx, projectId, { select: { id: true } });
  const values = {
    monthlyTokenLimit: data.monthlyTokenLimit,
    spendLimitCents: data.spendLimitCents,
  };
  await ctx.db.projectBudget.upsert({
    where: { projectId },
    create: { projectId, ...values },
    update: values,
  });
  await recordAdminAction(ctx, 'budget.updated', projectId, { ...data });
  return getProjectBudget(ctx, projectId);
}
