import { actingFor, type ServiceContext } from '../../src/context.js';
import { authenticate } from '../../src/services/auth/api-keys.js';
import { createFileFromBytes } from '../../src/services/files/files.js';
import { createVectorStoreFile } from '../../src/services/vector-stores/vector-store-files.js';
import { indexVectorStoreFile } from '../../src/services/vector-stores/vector-store-indexing.js';
import { createVectorStore } from '../../src/services/vector-stores/vector-stores.js';
import type { TestApp } from '../setup/app.js';

/** A service context acting for the app's default project (as a job or a request would). */
export async function serviceContext(app: TestApp, apiKey = app.apiKey): Promise<ServiceContext> {
  const actor = await authenticate(app.deps.db, `Bearer ${apiKey}`);
  return { ...actingFor(app.deps, actor.projectId), actor };
}

export async function newVectorStore(ctx: ServiceContext, name = 'docs'): Promise<string> {
  return (await createVectorStore(ctx, { name })).id;
}

export interface AddedFile {
  fileId: string;
  outcome: Awaited<ReturnType<typeof indexVectorStoreFile>>;
}

/**
 * Uploads a file, attaches it to the store and runs the indexing job's service on it directly
 * (apps here run without a worker, so nothing else picks the job up).
 */
export async function addFile(
  ctx: ServiceContext,
  vectorStoreId: string,
  filename: string,
  content: string | Uint8Array,
  options: {
    attributes?: Record<string, string | number | boolean>;
    chunkingStrategy?: {
      type: 'auto' | 'static';
      static?: { maxChunkSizeTokens: number; chunkOverlapTokens: number };
    };
  } = {},
): Promise<AddedFile> {
  const file = await createFileFromBytes(ctx, { filename, purpose: 'assistants', bytes: content });
  await createVectorStoreFile(ctx, vectorStoreId, {
    fileId: file.id,
    attributes: options.attributes,
    chunkingStrategy: options.chunkingStrategy,
  });
  const outcome = await indexVectorStoreFile(ctx, { vectorStoreId, fileId: file.id });
  return { fileId: file.id, outcome };
}
