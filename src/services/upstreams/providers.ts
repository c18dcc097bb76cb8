import { z } from 'zod';
import type { ServiceContext } from '../../context.js';
import { InvalidRequestError, NotFoundError } from '../../errors.js';
import { newId } from '../../ids.js';
import { recordAdminAction } from '../admin/audit-log.js';
import { getProject } from '../admin/projects.js';
import { namesNothing, parseInput } from '../common/validation.js';

const headerName = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an HTTP header name');

const createProviderSchema = z.object({
  name: z.string().trim().min(1).max(256),
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  apiKey: z.string().min(1).max(4096).nullish(),
  /** Sent with every call (Azure's `api-key`, a gateway's tenant header); sealed like the key. */
  headers: z.record(headerName, z.string().max(4096)).nullish(),
});

const routeSchema = z.object({
  match: z.string().min(1).max(256),
  prefix: z.boolean().nullish(),
  providerId: z.string().min(1),
  upstreamModel: z.string().min(1).max(256).nullish(),
});

const modelSchema = z.string().min(1).max(256);
const allowedModelsSchema = z.array(modelSchema).max(1000);

export type CreateProviderInput = z.input<typeof createProviderSchema>;
export type SetModelRouteInput = z.input<typeof routeSchema>;

/** What a provider's sealed `secrets` hold. Never returned, never logged. */
export const providerSecretsSchema = z.object({
  apiKey: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
});

/**
 * A provider of a project: its base URL and credentials, sealed with SECRETS_KEY. Only the
 * header names are kept readable; the key and header values cannot be read back by anyone.
 */
export async function createProvider(
  ctx: ServiceContext,
  projectId: string,
  input: CreateProviderInput,
) {
  const data = parseInput(createProviderSchema, input);
  await getProject(ctx, projectId, { select: { id: true } });
  const headers = data.headers ?? {};
  const hasSecrets = Boolean(data.apiKey) || Object.keys(headers).length > 0;
  const box = ctx.settings.secretBox;
  if (hasSecrets && !box) {
    throw new InvalidRequestError(
      'This server has no SECRETS_KEY, so it cannot store upstream credentials.',
      { param: 'apiKey' },
    );
  }
  const secrets =
    hasSecrets && box ? box.seal(JSON.stringify({ apiKey: data.apiKey ?? null, headers })) : null;
  const provider = await ctx.db.upstreamProvider.create({
    data: {
      id: newId('provider'),
      projectId,
      name: data.name,
      baseUrl: data.baseUrl,
      secrets,
      headerNames: Object.keys(headers),
    },
  });
  await recordAdminAction(ctx, 'upstream_provider.created', provider.id, {
    projectId,
    baseUrl: data.baseUrl,
  });
  return provider;
}

export async function listProviders(ctx: ServiceContext, projectId: string) {
  await getProject(ctx, projectId, { select: { id: true } });
  return ctx.db.upstreamProvider.findMany({ where: { projectId }, orderBy: { seq: 'asc' } });
}

export async function deleteProvider(ctx: ServiceContext, projectId: string, id: string) {
  await getProject(ctx, projectId, { select: { id: true } });
  const { count } = namesNothing(id)
    ? { count: 0 }
    : await ctx.db.upstreamProvider.deleteMany({ where: { id, projectId } });
  if (count === 0) {
    throw new NotFoundError(`No provider found with id '${id}'.`);
  }
  await recordAdminAction(ctx, 'upstream_provider.deleted', id, { projectId });
  return { id, deleted: true as const };
}

/** Routes a model name (or prefix) of the project to one of its providers; replaces a route. */
export async function setModelRoute(
  ctx: ServiceContext,
  projectId: string,
  input: SetModelRouteInput,
) {
  const data = parseInput(routeSchema, input);
  await getProject(ctx, projectId, { select: { id: true } });
  const provider = namesNothing(data.providerId)
    ? null
    : await ctx.db.upstreamProvider.findFirst({
        where: { id: data.providerId, projectId },
        select: { id: true },
      });
  if (!provider) {
    throw new NotFoundError(`No provider found with id '${data.providerId}'.`, {
      param: 'providerId',
    });
  }
  const key = { projectId, match: data.match, prefix: data.prefix ?? false };
  const values = { providerId: provider.id, upstreamModel: data.upstreamModel ?? null };
  const route = await ctx.db.modelRoute.upsert({
    where: { projectId_match_prefix: key },
    create: { ...key, ...values },
    update: values,
  });
  await recordAdminAction(ctx, 'model_route.set', provider.id, { ...key, ...values });
  return route;
}

export async function listModelRoutes(ctx: ServiceContext, projectId: string) {
  await getProject(ctx, projectId, { select: { id: true } });
  return ctx.db.modelRoute.findMany({ where: { projectId }, orderBy: { seq: 'asc' } });
}

/** The models the project's runs may use; an empty list allows any. */
export async function updateAllowedModels(
  ctx: ServiceContext,
  projectId: string,
  models: string[],
) {
  const allowed = parseInput(allowedModelsSchema, models);
  await getProject(ctx, projectId, { select: { id: true } });
  const project = await ctx.db.project.update({
    where: { id: projectId },
    data: { allowedModels: allowed },
  });
  await recordAdminAction(ctx, 'project.allowed_models_updated', projectId, { allowed });
  return project;
}

/**
 * The model of the project's requests that name none (`POST /v1/responses`); null clears it. It
 * must be in the allow-list when there is one; an allow-list changed later still governs it, as
 * it does a model a request names.
 */
export async function updateDefaultModel(
  ctx: ServiceContext,
  projectId: string,
  model: string | null,
) {
  const { model: defaultModel } = parseInput(z.object({ model: modelSchema.nullable() }), {
    model,
  });
  const { allowedModels } = await getProject(ctx, projectId, { select: { allowedModels: true } });
  if (defaultModel !== null && allowedModels.length > 0 && !allowedModels.includes(defaultModel)) {
    throw new InvalidRequestError(
      `The model '${defaultModel}' is not in the project's allowed models.`,
      { param: 'model' },
    );
  }
  const project = await ctx.db.project.update({
    where: { id: projectId },
    data: { defaultModel },
  });
  await recordAdminAction(ctx, 'project.default_model_updated', projectId, {
    model: defaultModel,
  });
  return project;
}
