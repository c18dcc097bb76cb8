import type { ServiceContext } from '../../context.js';
import type { Embeddings } from '../../models/embedder.js';

/**
 * Meters one `embed` call as a `usage_records` row of kind `embeddings`, for the caller's
 * project and key, with `ctx.db`: called inside a transaction, the record commits (or not) with
 * it. Nothing is written for a call that sent no request.
 */
export async function recordEmbeddingUsage(
  ctx: ServiceContext,
  model: string,
  usage: Pick<Embeddings, 'inputTokens' | 'requests'>,
): Promise<void> {
  if (usage.requests === 0) {
    return;
  }
  await ctx.db.usageRecord.create({
    data: {
      projectId: ctx.actor.projectId,
      apiKeyId: ctx.actor.apiKeyId,
      kind: 'embeddings',
      model,
      inputTokens: usage.inputTokens,
      requests: usage.requests,
    },
  });
}
