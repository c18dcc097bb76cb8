import { z } from 'zod';
import { type ServiceContext, withTransaction } from '../../context.js';
import { queryRaw } from '../../db/raw-sql.js';
import { assistantSql } from '../../db/row-sql.js';
import { NotFoundError } from '../../errors.js';
import { type Assistant, Prisma } from '../../generated/prisma/client.js';
import { newId } from '../../ids.js';
import { toJson } from '../common/json.js';
import { type PageInput, paginate } from '../common/pagination.js';
import { wantsWholeRow } from '../common/row-query.js';
import { metadataSchema, namesNothing, parseInput } from '../common/validation.js';
import { assistantToolsSchema } from './assistant-tools.js';
import { responseFormatSchema } from './response-format.js';
import { resolveToolResources, toolResourcesSchema } from './tool-resources.js';

export const REASONING_EFFORTS = [
  'none',
  'minimal',
  'low',
  'medium',
  'high',
  'xhigh',
  'max',
] as const;

const assistantFields = {
  name: z.string().max(256).nullish(),
  description: z.string().max(512).nullish(),
  instructions: z.string().max(256_000).nullish(),
  tools: assistantToolsSchema.nullish(),
  toolResources: toolResourcesSchema.nullish(),
  metadata: metadataSchema.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  topP: z.number().min(0).max(1).nullish(),
  responseFormat: responseFormatSchema.nullish(),
  reasoningEffort: z.enum(REASONING_EFFORTS).nullish(),
};

const createAssistantSchema = z.object({ model: z.string().min(1).max(256), ...assistantFields });
const updateAssistantSchema = z.object({
  model: z
    .string()
    .min(1)
    .max(256)
    .nullish()
    .refine((model) => model !== null, 'Expected a model name, got null'),
  ...assistantFields,
});

export type CreateAssistantInput = z.input<typeof createAssistantSchema>;
/** Absent fields stay as they are; `null` clears a nullable field. */
export type UpdateAssistantInput = z.input<typeof updateAssistantSchema>;

/** Pothos' selection (select or include), so GraphQL reads only what was asked for. */
type AssistantQuery = Pick<Prisma.AssistantFindFirstArgs, 'select' | 'include'>;

function notFound(id: string): NotFoundError {
  return new NotFoundError(`No assistant found with id '${id}'.`);
}

export async function createAssistant(
  ctx: ServiceContext,
  input: CreateAssistantInput,
  query: AssistantQuery = {},
) {
  const data = parseInput(createAssistantSchema, input);
  // One transaction: a store made by the `vector_stores` helper exists only with its assistant.
  return withTransaction(ctx, async (tx) => {
    const toolResources = await resolveToolResources(tx, data.toolResources, 'toolResources', {
      expiresAfterDays: null,
    });
    return tx.db.assistant.create({
      ...query,
      data: {
        id: newId('assistant'),
        projectId: tx.actor.projectId,
        model: data.model ?? undefined,
        name: data.name ?? null,
        description: data.description ?? null,
        instructions: data.instructions ?? null,
        tools: toJson(data.tools ?? []),
        toolResources: toJson(toolResources ?? {}),
        metadata: toJson(data.metadata ?? {}),
        temperature: data.temperature ?? null,
        topP: data.topP ?? null,
        responseFormat: toJson(data.responseFormat ?? { type: 'auto' }),
        reasoningEffort: data.reasoningEffort ?? null,
      },
    });
  });
}

export async function findAssistant(ctx: ServiceContext, id: string, query: AssistantQuery = {}) {
  if (namesNothing(id)) {
    return null;
  }
  if (wantsWholeRow(query)) {
    // Raw SQL: every run reads its assistant (Prisma's query compiler costs ~1 ms of CPU).
    const [assistant] = await queryRaw<Assistant>(
      ctx.db,
      Prisma.sql`SELECT ${assistantSql.columns} FROM assistants
       WHERE id = ${id} AND project_id = ${ctx.actor.projectId}`,
    );
    return assistant ?? null;
  }
  return ctx.db.assistant.findFirst({ ...query, where: { id, projectId: ctx.actor.projectId } });
}

export async function getAssistant(ctx: ServiceContext, id: string, query: AssistantQuery = {}) {
  const assistant = await findAssistant(ctx, id, query);
  if (!assistant) {
    throw notFound(id);
  }
  return assistant;
}

export async function listAssistants(
  ctx: ServiceContext,
  page?: PageInput,
  query: AssistantQuery = {},
) {
  const scope = { projectId: ctx.actor.projectId };
  return paginate(page, {
    seqOf: async (id) =>
      (await ctx.db.assistant.findFirst({ where: { ...scope, id }, select: { seq: true } }))?.seq ??
      null,
    fetch: ({ seq, orderBy, take }) =>
      ctx.db.assistant.findMany({ ...query, where: { ...scope, seq }, orderBy, take }),
  });
}

export async function updateAssistant(
  ctx: ServiceContext,
  id: string,
  input: UpdateAssistantInput,
  query: AssistantQuery = {},
) {
  const data = parseInput(updateAssistantSchema, input);
  await getAssistant(ctx, id, { select: { id: true } });
  // tool_resources replaces the old value, as OpenAI documents ("Overrides …").
  const toolResources =
    data.toolResources === undefined
      ? undefined
      : await resolveToolResources(ctx, data.toolResources);
  const { count } = await ctx.db.assistant.updateMany({
    where: { id, projectId: ctx.actor.projectId },
    data: {
      model: data.model ?? undefined,
      name: data.name,
      description: data.description,
      instructions: data.instructions,
      tools: data.tools === undefined ? undefined : toJson(data.tools ?? []),
      toolResources: toolResources === undefined ? undefined : toJson(toolResources ?? {}),
      metadata: data.metadata === undefined ? undefined : toJson(data.metadata ?? {}),
      temperature: data.temperature,
      topP: data.topP,
      responseFormat:
        data.responseFormat === undefined
          ? undefined
          : toJson(data.responseFormat ?? { type: 'auto' }),
      reasoningEffort: data.reasoningEffort,
    },
  });
  if (count === 0) {
    throw notFound(id);
  }
  return getAssistant(ctx, id, query);
}

export async function deleteAssistant(ctx: ServiceContext, id: string) {
  const { count } = namesNothing(id)
    ? { count: 0 }
    : await ctx.db.assistant.deleteMany({ where: { id, projectId: ctx.actor.projectId } });
  if (count === 0) {
    throw notFound(id);
  }
  return { id, deleted: true as const };
}
