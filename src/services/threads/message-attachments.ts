import type { ServiceContext } from '../../context.js';
import { storedToolResourcesSchema, type ToolResources } from '../assistants/tool-resources.js';
import { toJson } from '../common/json.js';
import { parseJsonColumn } from '../common/json-column.js';
import { isExpired } from '../vector-stores/vector-store-expiry.js';
import { attachFiles } from '../vector-stores/vector-store-file-attach.js';
import { THREAD_HELPER_EXPIRY_DAYS } from '../vector-stores/vector-store-inputs.js';
import { insertVectorStore } from '../vector-stores/vector-stores.js';
import type { Attachment } from './message-content.js';

/**
 * Message attachments for `file_search` go into the thread's vector store, as on OpenAI: the
 * files are indexed there for the thread's runs. A thread without a usable store gets a new one
 * that expires 7 days after its last use (OpenAI's default for such stores); an expired store is
 * replaced rather than failing the message. Runs in the caller's transaction.
 */
export async function addAttachmentsToThreadStore(
  ctx: ServiceContext,
  threadId: string,
  attachments: Attachment[] | null | undefined,
  param: string,
): Promise<void> {
  const fileIds = (attachments ?? [])
    .filter((attachment) => attachment.tools.some((tool) => tool.type === 'file_search'))
    .map((attachment) => attachment.fileId);
  if (fileIds.length === 0) {
    return;
  }
  const thread = await ctx.db.thread.findUniqueOrThrow({
    where: { id: threadId },
    select: { toolResources: true },
  });
  const resources =
    parseJsonColumn(storedToolResourcesSchema.nullable(), thread.toolResources, {
      table: 'threads',
      id: threadId,
      column: 'toolResources',
    }) ?? {};
  const [storeId] = resources.fileSearch?.vectorStoreIds ?? [];
  const store = storeId
    ? await ctx.db.vectorStore.findFirst({
        where: { id: storeId, projectId: ctx.actor.projectId },
        select: { id: true, status: true, expiresAt: true },
      })
    : null;
  if (store && !isExpired(store, new Date())) {
    await attachFiles(
      ctx,
      store.id,
      fileIds.map((fileId) => ({ fileId, param })),
    );
    return;
  }
  const created = await insertVectorStore(
    ctx,
    {
      fileIds,
      expiresAfter: { anchor: 'last_active_at', days: THREAD_HELPER_EXPIRY_DAYS },
    },
    param,
  );
  const updated: ToolResources = { ...resources, fileSearch: { vectorStoreIds: [created.id] } };
  await ctx.db.thread.update({ where: { id: threadId }, data: { toolResources: toJson(updated) } });
}
