import type { ServiceContext } from '../../context.js';
import type { Prisma } from '../../generated/prisma/client.js';
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

/** Which entries to list; every given, non-empty filter must match (OpenAI's list parameters). */
export interface AuditLogFilter {
  /** OpenAI's `event_types`. */
  actions?: readonly string[] | null;
  /** OpenAI's `effective_at[gt|gte|lt|lte]`. */
  effectiveAt?: { gt?: Date | null; gte?: Date | null; lt?: Date | null; lte?: Date | null } | null;
  /** An entry is a project's when it acted on the project or names it as `details.projectId`. */
  projectIds?: readonly string[] | null;
  /** Admin key ids: the only actors this server has. */
  actorIds?: readonly string[] | null;
  /** The objects acted on (`targetId`). */
  resourceIds?: readonly string[] | null;
  /** Admin keys have no email, so any email matches nothing. */
  actorEmails?: readonly string[] | null;
}

const given = (values: readonly string[] | null | undefined): values is readonly string[] =>
  !!values && values.length > 0;

function auditLogWhere(filter: AuditLogFilter): Prisma.AuditLogEntryWhereInput {
  const where: Prisma.AuditLogEntryWhereInput[] = [];
  if (given(filter.actions)) {
    where.push({ action: { in: [...filter.actions] } });
  }
  const range = filter.effectiveAt;
  if (range) {
    // Bounds are whole seconds but entries keep milliseconds: an entry reported at second S
    // is after S-1 and not after S, however far into S it was made.
    const nextSecond = (at: Date) => new Date(at.getTime() + 1000);
    where.push({ createdAt: { gte: range.gt ? nextSecond(range.gt) : undefined } });
    where.push({ createdAt: { gte: range.gte ?? undefined } });
    where.push({ createdAt: { lt: range.lt ?? undefined } });
    where.push({ createdAt: { lt: range.lte ? nextSecond(range.lte) : undefined } });
  }
  if (given(filter.projectIds)) {
    where.push({
      OR: [
        { targetId: { in: [...filter.projectIds] } },
        ...filter.projectIds.map((id) => ({ details: { path: ['projectId'], equals: id } })),
      ],
    });
  }
  if (given(filter.actorIds)) {
    where.push({ actorApiKeyId: { in: [...filter.actorIds] } });
  }
  if (given(filter.resourceIds)) {
    where.push({ targetId: { in: [...filter.resourceIds] } });
  }
  if (given(filter.actorEmails)) {
    where.push({ id: { in: [] } });
  }
  return { AND: where };
}

/** The audit log, newest first by default, filtered as OpenAI's list filters. Admins only. */
export async function listAuditLogEntries(
  ctx: ServiceContext,
  page?: PageInput,
  filter: AuditLogFilter = {},
) {
  requireAdmin(ctx);
  const where = auditLogWhere(filter);
  return paginate(page, {
    seqOf: async (id) =>
      (await ctx.db.auditLogEntry.findUnique({ where: { id }, select: { seq: true } }))?.seq ??
      null,
    fetch: ({ seq, orderBy, take }) =>
      ctx.db.auditLogEntry.findMany({ where: { seq, ...where }, orderBy, take }),
  });
}
