import { z } from 'zod';
import { type ServiceContext, withTransaction } from '../../context.js';
import { NotFoundError } from '../../errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { newId } from '../../ids.js';
import { type CreatedApiKey, createApiKey } from '../auth/api-keys.js';
import { type PageInput, paginate } from '../common/pagination.js';
import { namesNothing, parseInput } from '../common/validation.js';
import { requireAdmin } from './admin-access.js';
import { recordAdminAction } from './audit-log.js';
import { getProject } from './projects.js';

type ServiceAccountQuery = Pick<Prisma.ServiceAccountFindFirstArgs, 'select' | 'include'>;

export const SERVICE_ACCOUNT_ROLES = ['member', 'owner'] as const;

const nameSchema = z.string().trim().min(1).max(256);
const createServiceAccountSchema = z.object({
  name: nameSchema,
  /** Without its first key (OpenAI's `create_service_account_only`). */
  createServiceAccountOnly: z.boolean().nullish(),
});
const updateServiceAccountSchema = z.object({
  name: nameSchema.nullish(),
  role: z.enum(SERVICE_ACCOUNT_ROLES).nullish(),
});
const createKeySchema = z.object({ name: z.string().max(256).nullish() });

export type CreateServiceAccountInput = z.input<typeof createServiceAccountSchema>;
export type UpdateServiceAccountInput = z.input<typeof updateServiceAccountSchema>;
export type CreateServiceAccountApiKeyInput = z.input<typeof createKeySchema>;

async function newProjectKey(
  ctx: ServiceContext,
  account: { id: string; projectId: string },
  name: string,
): Promise<CreatedApiKey> {
  const created = await createApiKey(ctx.db, {
    projectId: account.projectId,
    serviceAccountId: account.id,
    name,
  });
  await recordAdminAction(ctx, 'api_key.created', created.id, {
    projectId: account.projectId,
    serviceAccountId: account.id,
  });
  return created;
}

/**
 * A service account in a project, with its first key unless `createServiceAccountOnly` (the key
 * is returned once, as OpenAI does; only its hash is kept).
 */
export async function createServiceAccount(
  ctx: ServiceContext,
  projectId: string,
  input: CreateServiceAccountInput,
) {
  const data = parseInput(createServiceAccountSchema, input);
  await getProject(ctx, projectId, { select: { id: true } });
  return withTransaction(ctx, async (tx) => {
    const account = await tx.db.serviceAccount.create({
      data: {
        id: newId('serviceAccount'),
        projectId,
        name: data.name,
        role: data.createServiceAccountOnly ? 'none' : 'member',
      },
    });
    await recordAdminAction(tx, 'service_account.created', account.id, {
      projectId,
      name: data.name,
    });
    const apiKey = data.createServiceAccountOnly
      ? null
      : await newProjectKey(tx, account, 'Secret Key');
    return { serviceAccount: account, apiKey };
  });
}

export async function getServiceAccount(
  ctx: ServiceContext,
  projectId: string,
  id: string,
  query: ServiceAccountQuery = {},
) {
  requireAdmin(ctx);
  const account =
    namesNothing(id) || namesNothing(projectId)
      ? null
      : await ctx.db.serviceAccount.findFirst({ ...query, where: { id, projectId } });
  if (!account) {
    throw new NotFoundError(`No service account found with id '${id}'.`);
  }
  return account;
}

export async function listServiceAccounts(
  ctx: ServiceContext,
  projectId: string,
  page?: PageInput,
  query: ServiceAccountQuery = {},
) {
  requireAdmin(ctx);
  const scope = { projectId };
  return paginate(page, {
    seqOf: async (id) =>
      (await ctx.db.serviceAccount.findFirst({ where: { ...scope, id }, select: { seq: true } }))
        ?.seq ?? null,
    fetch: ({ seq, orderBy, take }) =>
      ctx.db.serviceAccount.findMany({ ...query, where: { ...scope, seq }, orderBy, take }),
  });
}

export async function updateServiceAccount(
  ctx: ServiceContext,
  projectId: string,
  id: string,
  input: UpdateServiceAccountInput,
  query: ServiceAccountQuery = {},
) {
  const data = parseInput(updateServiceAccountSchema, input);
  await getServiceAccount(ctx, projectId, id, { select: { id: true } });
  const account = await ctx.db.serviceAccount.update({
    ...query,
    where: { id },
    data: { name: data.name ?? undefined, role: data.role ?? undefined },
  });
  await recordAdminAction(ctx, 'service_account.updated', id, { ...data });
  return account;
}

/** Deletes a service account and its keys: they are refused at once (the key trigger). */
export async function deleteServiceAccount(ctx: ServiceContext, projectId: string, id: string) {
  await getServiceAccount(ctx, projectId, id, { select: { id: true } });
  await ctx.db.serviceAccount.delete({ where: { id } });
  await recordAdminAction(ctx, 'service_account.deleted', id, { projectId });
  return { id, deleted: true as const };
}

/** Another key for a service account, returned once. */
export async function createServiceAccountApiKey(
  ctx: ServiceContext,
  projectId: string,
  serviceAccountId: string,
  input: CreateServiceAccountApiKeyInput,
): Promise<CreatedApiKey> {
  const data = parseInput(createKeySchema, input);
  const account = await getServiceAccount(ctx, projectId, serviceAccountId, {
    select: { id: true, projectId: true },
  });
  return newProjectKey(ctx, account, data.name ?? 'Secret Key');
}
