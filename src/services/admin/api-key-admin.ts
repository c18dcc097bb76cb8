import { z } from 'zod';
import type { ServiceContext } from '../../context.js';
import { NotFoundError } from '../../errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { type CreatedApiKey, createApiKey } from '../auth/api-keys.js';
import { DEFAULT_PROJECT_ID } from '../auth/projects.js';
import { type PageInput, paginate } from '../common/pagination.js';
import { namesNothing, parseInput } from '../common/validation.js';
import { requireAdmin } from './admin-access.js';
import { recordAdminAction } from './audit-log.js';

type ApiKeyQuery = Pick<Prisma.ApiKeyFindFirstArgs, 'select' | 'include'>;

/** Which keys a list or lookup sees: the admin keys, or one project's keys. Revoked keys are gone. */
export type ApiKeyScope = { role: 'admin' } | { role: 'project'; projectId: string };

function whereOf(scope: ApiKeyScope): Prisma.ApiKeyWhereInput {
  return { ...scope, revokedAt: null };
}

const createAdminApiKeySchema = z.object({
  name: z.string().trim().min(1).max(256),
  /** (Default: never) OpenAI's bounds: 1 s to one year. */
  expiresInSeconds: z.number().int().min(1).max(31_536_000).nullish(),
});

export type CreateAdminApiKeyInput = z.input<typeof createAdminApiKeySchema>;

export async function getApiKey(
  ctx: ServiceContext,
  scope: ApiKeyScope,
  id: string,
  query: ApiKeyQuery = {},
) {
  requireAdmin(ctx);
  const key =
    namesNothing(id) || (scope.role === 'project' && namesNothing(scope.projectId))
      ? null
      : await ctx.db.apiKey.findFirst({ ...query, where: { ...whereOf(scope), id } });
  if (!key) {
    throw new NotFoundError(`No API key found with id '${id}'.`);
  }
  return key;
}

export async function listApiKeys(
  ctx: ServiceContext,
  scope: ApiKeyScope,
  page?: PageInput,
  query: ApiKeyQuery = {},
) {
  requireAdmin(ctx);
  const where = whereOf(scope);
  return paginate(page, {
    seqOf: async (id) =>
      (await ctx.db.apiKey.findFirst({ where: { ...where, id }, select: { seq: true } }))?.seq ??
      null,
    fetch: ({ seq, orderBy, take }) =>
      ctx.db.apiKey.findMany({ ...query, where: { ...where, seq }, orderBy, take }),
  });
}

/**
 * Revokes a key: refused at once in every process (the `api_keys` trigger clears the key
 * caches). The row stays, so usage and the audit log keep naming it.
 */
export async function deleteApiKey(ctx: ServiceContext, scope: ApiKeyScope, id: string) {
  await getApiKey(ctx, scope, id, { select: { id: true } });
  await ctx.db.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
  await recordAdminAction(ctx, 'api_key.deleted', id, { ...scope });
  return { id, deleted: true as const };
}

/** A new admin key (of the default project), returned once. */
export async function createAdminApiKey(
  ctx: ServiceContext,
  input: CreateAdminApiKeyInput,
): Promise<CreatedApiKey> {
  requireAdmin(ctx);
  const data = parseInput(createAdminApiKeySchema, input);
  const created = await createApiKey(ctx.db, {
    projectId: DEFAULT_PROJECT_ID,
    name: data.name,
    role: 'admin',
    expiresAt: data.expiresInSeconds ? new Date(Date.now() + data.expiresInSeconds * 1000) : null,
  });
  await recordAdminAction(ctx, 'admin_api_key.created', created.id, { name: data.name });
  return created;
}
