import type { ServiceContext } from '../../context.js';
import { listFileChunks } from './vector-store-chunks.js';
import { getVectorStoreFile } from './vector-store-files.js';

export interface VectorStoreFileContent {
  /** The file's chunks in order, as search returns them (windows overlap per the strategy). */
  data: { type: 'text'; text: string }[];
}

/**
 * `GET /vector_stores/{id}/files/{file_id}/content`: the parsed content of a vector-store file,
 * its chunks in file order. Empty until the file is `completed` (and for failed files). 404s
 * like retrieving the vector-store file.
 */
export async function getVectorStoreFileContent(
  ctx: ServiceContext,
  vectorStoreId: string,
  fileId: string,
): Promise<VectorStoreFileContent> {
  await getVectorStoreFile(ctx, vectorStoreId, fileId);
  const chunks = await listFileChunks(ctx, vectorStoreId, fileId);
  return { data: chunks.map((chunk) => ({ type: 'text', text: chunk.text })) };
}
