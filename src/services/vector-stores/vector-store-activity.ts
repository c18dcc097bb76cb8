import type { ServiceContext } from '../../context.js';
import { storedToolResourcesSchema } from '../assistants/tool-resources.js';
import { parseJsonColumn } from '../common/json-column.js';
import { vectorStoreExpired, vectorStoreNotFound } from './vector-store-errors.js';
import { expiresAtFrom, isExpired } from './vector-store-expiry.js';

/**
 * Records that the stores were used (a search, a run): `last_active_at` becomes now and, for
 * stores with an expiry policy, `expires_at` moves to now + days. Expired stores stay expired;
 * unknown ids and other projects' stores are ignored.
 */
export async function touchVectorStores(
  ctx: ServiceContext,
  ids: readonly string[],
  now: Date = new Date(),
): Promise<void> {
  if (ids.length === 0) {
    return;
  }
  const rows = await ctx.db.vectorStore.findMany({
    where: { id: { in: [...ids] }, projectId: ctx.actor.projectId },
    select: { id: true, status: true, expiresAt: true, expiresAfterDays: true },
  });
  // One update per distinct policy (usually one or two), since expires_at depends on it.
  const byDays = new Map<number | null, string[]>();
  for (const row of rows) {
    if (!isExpired(row, now)) {
      byDays.set(row.expiresAfterDays, [...(byDays.get(row.expiresAfterDays) ?? []), row.id]);
    }
  }
  for (const [days, storeIds] of byDays) {
    await ctx.db.vectorStore.updateMany({
      // Re-checked here: a store that expired meanwhile is not revived.
      where: {
        id: { in: storeIds },
        status: { not: 'expired' },
        OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      },
      data: { lastActiveAt: now, expiresAt: days === null ? null : expiresAtFrom(now, days) },
    });
  }
}

/**
 * 404s unless the store exists in the caller's project, and refuses an expired store (it can no
 * longer be searched, as on OpenAI). For the search endpoint and anything else that reads chunks.
 */
export async function assertVectorStoreUsable(ctx: ServiceContext, id: string): Promise<void> {
  const row = await ctx.db.vectorStore.findFirst({
    where: { id, projectId: ctx.actor.projectId },
    select: { status: true, expiresAt: true },
  });
  if (!row) {
    throw vectorStoreNotFound(id);
  }
  if (isExpired(row, new Date())) {
    throw vectorStoreExpired(id);
  }
}

/** The vector stores a run may search, split into those usable and those expired. */
export interface RunVectorStores {
  /** Existing, unexpired stores of the assistant then the thread, without duplicates. */
  usable: string[];
  /** Referenced stores that have expired: a run that needs them should fail, as on OpenAI. */
  expired: string[];
}

/**
 * The stores file_search may use in a run: the assistant's `tool_resources.file_search` plus the
 * thread's (OpenAI searches both). Stores deleted since are skipped.
 */
export async function resolveRunVectorStores(
  ctx: ServiceContext,
  sources: { assistantId?: string | null; threadId?: string | null },
): Promise<RunVectorStores> {
  const scope = { projectId: ctx.actor.projectId };
  const [assistant, thread] = await Promise.all([
    sources.assistantId
      ? ctx.db.assistant.findFirst({
          where: { ...scope, id: sources.assistantId },
          select: { id: true, toolResources: true },
        })
      : null,
    sources.threadId
      ? ctx.db.thread.findFirst({
          where: { ...scope, id: sources.threadId },
          select: { id: true, toolResources: true },
        })
      : null,
  ]);
  const owners = [
    { table: 'assistants', row: assistant },
    { table: 'threads', row: thread },
  ];
  const ids = [
    ...new Set(
      owners.flatMap(({ table, row }) =>
        row
          ? (parseJsonColumn(storedToolResourcesSchema.nullable(), row.toolResources, {
              table,
              id: row.id,
              column: 'toolResources',
            })?.fileSearch?.vectorStoreIds ?? [])
          : [],
      ),
    ),
  ];
  if (ids.length === 0) {
    return { usable: [], expired: [] };
  }
  const rows = await ctx.db.vectorStore.findMany({
    where: { ...scope, id: { in: ids } },
    select: { id: true, status: true, expiresAt: true },
  });
  const now = new Date();
  const byId = new Map(rows.map((row) => [row.id, row]));
  const present = ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [row] : [];
  });
  return {
    usable: present.filter((row) => !isExpired(row, now)).map((row) => row.id),
    expired: present.filter((row) => isExpired(row, now)).map((row) => row.id),
  };
}
