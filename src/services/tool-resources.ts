import { z } from 'zod';
import type { ServiceContext } from '../context.js';
import { InvalidRequestError } from '../errors.js';
import { idSchema } from './validation.js';

export const toolResourcesSchema = z.object({
  codeInterpreter: z.object({ fileIds: z.array(idSchema).max(20).nullish() }).nullish(),
  fileSearch: z
    .object({
      vectorStoreIds: z.array(idSchema).max(1).nullish(),
      /** Creation helper (create assistant/thread only): make a vector store from files. */
      vectorStores: z.array(z.unknown()).max(1).nullish(),
    })
    .nullish(),
});

export type ToolResourcesInput = z.infer<typeof toolResourcesSchema>;

/** What is stored and returned: ids only. */
export interface ToolResources {
  codeInterpreter?: { fileIds: string[] };
  fileSearch?: { vectorStoreIds: string[] };
}

/**
 * Validates that every referenced file and vector store exists in the caller's project, and
 * returns the stored form. The `vector_stores` creation helper needs ingestion, which is not
 * built yet (issue #6), so it is refused with a clear error instead of being half-done.
 */
export async function resolveToolResources(
  ctx: ServiceContext,
  input: ToolResourcesInput | null | undefined,
  param = 'toolResources',
): Promise<ToolResources | null> {
  if (!input) {
    return null;
  }
  if (input.fileSearch?.vectorStores && input.fileSearch.vectorStores.length > 0) {
    throw new InvalidRequestError(
      `Invalid '${param}.fileSearch.vectorStores': creating vector stores inline is not supported by this server yet; create the vector store first and pass its id in vector_store_ids.`,
      { param: `${param}.fileSearch.vectorStores`, openaiCode: 'unsupported_parameter' },
    );
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
  return result;
}
