import type { ProjectRateLimit } from '../../generated/prisma/client.js';
import {
  getProjectBudget,
  type ProjectBudgetView,
  updateProjectBudget,
} from '../../services/limits/budgets.js';
import { listRateLimits, rateLimitId, updateRateLimit } from '../../services/limits/rate-limits.js';
import { builder } from '../builder.js';
import { connectionOf, connectionType, orderArg, toPageInput } from './common.js';
import { Project } from './project.js';

const RateLimit = builder.objectRef<ProjectRateLimit>('RateLimit').implement({
  description:
    'A project’s limit for one model (`*`: every model without its own), per minute, counted across every server. 0: no limit of that kind.',
  fields: (t) => ({
    id: t.string({
      description: '`rl-<model>` (`rl-*` for the default).',
      resolve: (limit) => rateLimitId(limit.model),
    }),
    model: t.exposeString('model'),
    maxRequestsPer1Minute: t.exposeInt('maxRequestsPer1Minute'),
    maxTokensPer1Minute: t.exposeInt('maxTokensPer1Minute', {
      description: 'Input + output tokens per minute.',
    }),
  }),
});

const RateLimitConnection = connectionType('RateLimit', RateLimit);

const ProjectBudget = builder.objectRef<ProjectBudgetView>('ProjectBudget').implement({
  description:
    'What a project may spend per calendar month (UTC). Once reached, requests that start model work get 429 `insufficient_quota` and runs under way fail with it.',
  fields: (t) => ({
    monthlyTokenLimit: t.exposeInt('monthlyTokenLimit', {
      nullable: true,
      description: 'Input + output tokens of every upstream call; null: none.',
    }),
    spendLimitCents: t.exposeInt('spendLimitCents', {
      nullable: true,
      description:
        'OpenAI’s hard spend limit, in US cents, from the providers’ prices; null: none.',
    }),
  }),
});

const UpdateRateLimitInput = builder.inputType('UpdateRateLimitInput', {
  fields: (t) => ({
    maxRequestsPer1Minute: t.int({ description: '0 lifts it; absent keeps it.' }),
    maxTokensPer1Minute: t.int({ description: '0 lifts it; absent keeps it.' }),
  }),
});

const UpdateProjectBudgetInput = builder.inputType('UpdateProjectBudgetInput', {
  fields: (t) => ({
    monthlyTokenLimit: t.int({ description: 'null clears it; absent keeps it.' }),
    spendLimitCents: t.int({ description: 'null clears it; absent keeps it.' }),
  }),
});

builder.objectFields(Project, (t) => ({
  rateLimits: t.connection(
    {
      type: RateLimit,
      description: 'Its rate limits, oldest first by default. Admin only.',
      args: orderArg,
      resolve: async (project, args, ctx) =>
        connectionOf(
          await listRateLimits(ctx, project.id, {
            ...toPageInput(args),
            order: args.order ?? 'asc',
          }),
          (limit) => rateLimitId(limit.model),
        ),
    },
    RateLimitConnection,
  ),
  budget: t.field({
    type: ProjectBudget,
    description: 'Admin only.',
    resolve: (project, _args, ctx) => getProjectBudget(ctx, project.id),
  }),
}));

builder.mutationFields((t) => ({
  updateRateLimit: t.field({
    type: RateLimit,
    description:
      'Sets a project’s limit for a model (`rl-<model>`; `rl-*` is its default), made on first update. Admin keys only.',
    args: {
      projectId: t.arg.id({ required: true }),
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateRateLimitInput, required: true }),
    },
    resolve: (_root, args, ctx) =>
      updateRateLimit(ctx, String(args.projectId), String(args.id), args.input),
  }),
  updateProjectBudget: t.field({
    type: ProjectBudget,
    description: 'Admin keys only.',
    args: {
      projectId: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateProjectBudgetInput, required: true }),
    },
    resolve: (_root, args, ctx) => updateProjectBudget(ctx, String(args.projectId), args.input),
  }),
}));
