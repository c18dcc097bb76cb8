import { z } from 'zod';
import type { ServiceContext } from '../../context.js';
import { InvalidRequestError } from '../../errors.js';
import { idSchema, metadataSchema } from '../common/validation.js';
import { chunkingStrategyInputSchema } from '../vector-stores/vector-store-inputs.js';
import { insertVectorStore } from '../vector-stores/vector-stores.js';

/** The `vector_stores` creation helper: one store made from files along with its owner. */
const vectorStoreHelperSchema = z.object({
  /** Bounded so one request's transaction stays reasonable (OpenAI allows far more). */
  fileIds: z.array(idSchema).max(10_000).nullish(),
  chunkingStrategy: chunkingStrategyInputSchema.nullish(),
  metadata: metadataSchema.nullish(),
});

export const toolResourcesSchema = z.object({
  codeInterpreter: z.object({ fileIds: z.array(idSchema).max(20).nullish() }).nullish(),
  fileSearch: z
    .object({
      vectorStoreIds: z.array(idSchema).max(1).nullish(),
      /** Creation helper (create assistant/thread only): make a vector store from files. */
      vectorStores: z.array(vectorStoreHelperSchema).max(1).nullish(),
    })
    .nullish(),
});

export type ToolResourcesInput = z.infer<typeof toolResourcesSchema>;

/** What is stored and returned: ids only. */
export interface ToolResources {
  codeInterpreter?: { fileIds: string[] };
  fileSearch?: { vectorStoreIds: string[] };
}

/** `tool_resources` as stored (assistants, threads); `{}` when none were given. */
export const storedToolResourcesSchema: z.ZodType<ToolResources> = z.object({
  codeInterpreter: z.object({ fileIds: z.array(z.string()) }).optional(),
  fileSearch: z.object({ vectorStoreIds: z.array(z.string()) }).optional(),
});

/** Whether (and how) the `vector_stores` helper may create a store: only on create. */
export interface VectorStoreHelperOptions {
  /** Expiry in days after last activity (OpenAI gives thread-made stores 7), or none. */
  expiresAfterDays: number | null;
}

/**
 * Validates that every referenced file and vector store exists in the caller's project, and
 * returns the stored form. With `helper` (create assistant / create thread), the `vector_stores`
 * helper creates its store (and enqueues its files' indexing) in the caller's transaction, and
 * only the new store's id is kept; without it (updates), the helper is refused.
 */
export async function resolveToolResources(
  ctx: ServiceContext,
  input: ToolResourcesInput | null | undefined,
  param = 'toolResources',
  helper: VectorStoreHelperOptions | null = null,
): Promise<ToolResources | null> {
  if (!input) {
    return null;
  }
  const vectorStores = input.fileSearch?.vectorStores ?? [];
  if (vectorStores.length > 0) {
    const helperParam = `${param}.fileSearch.vectorStores`;
    if (!helper) {
      throw new InvalidRequestError(
        `Invalid '${helperParam}': vector stores can only be created along with a new assistant or thread; pass the ids of existing ones in vector_store_ids.`,
        { param: helperParam, openaiCode: 'unknown_parameter' },
      );
    }
    if ((input.fileSearch?.vectorStoreIds ?? []).length > 0) {
      throw new InvalidRequestError(
        `Invalid '${helperParam}': give either vector_store_ids or vector_stores, not both.`,
        { param: helperParam, openaiCode: 'invalid_value' },
      );
    }
  }
  const result: ToolResources = {};
  const fileIds = input.codeInterpreter?.fileIds;
  if (fileIds) {
    const found = await ctx.db.file.findMany({
      where: { projectId: ctx.actor.projectId, id: { in: fileIds } },
      select: { id: true },
    });
    const known = new Set(found.map((file) => file.id));
    const missing = fileIds.find((id) => !known.has(id));
    if (missing !== undefined) {
      throw new InvalidRequestError(
        `Invalid '${param}.codeInterpreter.fileIds': no file found with id '${missing}'.`,
        {
          param: `${param}.codeInterpreter.fileIds`,
        },
      );
    }
    result.codeInterpreter = { fileIds };
  }
  const vectorStoreIds = input.fileSearch?.vectorStoreIds;
  if (vectorStoreIds) {
    const found = await ctx.db.vectorStore.findMany({
      where: { projectId: ctx.actor.projectId, id: { in: vectorStoreIds } },
      select: { id: true },
    });
    const known = new Set(found.map((store) => store.id));
    const missing = vectorStoreIds.find((id) => !known.has(id));
    if (missing !== undefined) {
      throw new InvalidRequestError(
        `Invalid '${param}.fileSearch.vectorStoreIds': no vector store found with id '${missing}'.`,
        { param: `${param}.fileSearch.vectorStoreIds` },
      );
    }
    result.fileSearch = { vectorStoreIds };
  }
  const [spec] = vectorStores;
  if (spec && helper) {
    const store = await insertVectorStore(
      ctx,
      {
        ...spec,
        expiresAfter:
          helper.expiresAfterDays === null
            ? null
            : { anchor: 'last_active_at', days: helper.expiresAfterDays },
      },
      `${param}.fileSearch.vectorStores.0.fileIds`,
    );
    result.fileSearch = { vectorStoreIds: [store.id] };
  }
  return result;
}
