import type { ServiceContext } from '../../context.js';
import { newId } from '../../ids.js';
import { toJson } from '../common/json.js';
import { type PageInput, paginate } from '../common/pagination.js';
import { requireAdmin } from './admin-access.js';

/**
 * Writes who did what to which object. Called by the admin services after the change, with the
 * same `ctx.db`, so a change made in a transaction is logged in it. Secrets never go in `details`.
 */
export async function recordAdminAction(
  ctx: ServiceContext,
  action: string,
  targetId: string,
  details: Record<string, unknown>,
): Promise<void> {
  await ctx.db.auditLogEntry.create({
    data: {
      id: newId('auditLog'),
      actorApiKeyId: ctx.actor.apiKeyId,
      action,
      targetId,
      details: toJson(details),
    },
  });
}

/** The audit log, newest first by default, of the given actions only if any. Admins only. */
export async function listAuditLogEntries(
  ctx: ServiceContext,
  page?: PageInput,
  actions?: readonly string[] | null,
) {
  requireAdmin(ctx);
  const only = actions && actions.length > 0 ? { action: { in: [...actions] } } : {};
  return paginate(page, {
    seqOf: async (id) =>
      (await ctx.db.auditLogEntry.findUnique({ where: { id }, select: { seq: true } }))?.seq ??
      null,
    fetch: ({ seq, orderBy, take }) =>
      ctx.db.auditLogEntry.findMany({ where: { seq, ...only }, orderBy, take }),
  });
}
