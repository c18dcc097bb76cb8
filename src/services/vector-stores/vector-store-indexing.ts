import type { Readable } from 'node:stream';
import { type ServiceContext, withTransaction } from '../../context.js';
import { NotFoundError } from '../../errors.js';
import { chunkText } from '../../ingestion/chunk-text.js';
import { effectiveChunking } from '../../ingestion/chunking-strategy.js';
import { extractText } from '../../ingestion/extract-text.js';
import { ExtractionError, type IndexingErrorCode } from '../../ingestion/extraction-error.js';
import { indexVectorStoreFileJob } from '../../jobs/index-vector-store-file.js';
import { EmbeddingError } from '../../models/embedder.js';
import { BlobNotFoundError } from '../../storage/errors.js';
import { SQL_NULL } from '../common/json.js';
import { openFileContent } from '../files/files.js';
import { recordEmbeddingUsage } from '../metering/embedding-usage.js';
import { deleteFileChunks, replaceFileChunks } from './vector-store-chunks.js';

/** Writing a large file's chunks (thousands of rows, vectors) may outlast Prisma's 5 s default. */
const WRITE_TIMEOUT_MS = 120_000;

export interface FileIndexingTarget {
  vectorStoreId: string;
  fileId: string;
}

/**
 * Enqueues the indexing of a vector-store file in the caller's transaction (call it where the
 * `in_progress` row is written: a rollback leaves neither). One job per store and file at a time.
 */
export async function enqueueFileIndexing(
  ctx: ServiceContext,
  target: FileIndexingTarget,
): Promise<void> {
  await ctx.jobs.send(
    ctx.db,
    indexVectorStoreFileJob,
    { projectId: ctx.actor.projectId, apiKeyId: ctx.actor.apiKeyId, ...target },
    { singletonKey: `${target.vectorStoreId}/${target.fileId}` },
  );
}

export type IndexingOutcome =
  | { status: 'completed'; chunks: number; usageBytes: number }
  | { status: 'failed'; code: IndexingErrorCode; message: string }
  /** The row was gone, cancelled or already done: nothing was written. */
  | { status: 'skipped' };

async function readAll(stream: Readable): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const part of stream) {
    parts.push(Buffer.isBuffer(part) ? part : Buffer.from(part as Uint8Array));
  }
  return Buffer.concat(parts);
}

/** Ends the row `failed` with `last_error`, unless it left `in_progress` meanwhile. */
async function failFile(
  ctx: ServiceContext,
  target: FileIndexingTarget,
  code: IndexingErrorCode,
  message: string,
): Promise<IndexingOutcome> {
  const changed = await withTransaction(ctx, async (tx) => {
    // A failed file has no chunks, whatever an earlier attempt left.
    await deleteFileChunks(tx, target.vectorStoreId, target.fileId);
    const { count } = await tx.db.vectorStoreFile.updateMany({
      where: { ...target, projectId: tx.actor.projectId, status: 'in_progress' },
      data: { status: 'failed', usageBytes: 0n, lastError: { code, message } },
    });
    return count;
  });
  return changed === 1 ? { status: 'failed', code, message } : { status: 'skipped' };
}

/** What the file's bytes become, or why they cannot be indexed. */
async function prepareChunks(ctx: ServiceContext, target: FileIndexingTarget, chunking: unknown) {
  const { file, stream } = await openFileContent(ctx, target.fileId);
  const timings = { readMs: 0, chunkMs: 0, embedMs: 0 };
  let mark = performance.now();
  const lap = () => {
    const now = performance.now();
    const elapsed = Math.round(now - mark);
    mark = now;
    return elapsed;
  };
  const bytes = await readAll(stream);
  timings.readMs = lap();
  const { text } = await extractText({
    filename: file.filename,
    mimeType: file.mimeType,
    bytes,
  });
  const chunks = chunkText(text, effectiveChunking(chunking));
  timings.chunkMs = lap();
  const { embedder } = ctx.retrieval;
  const embedded = embedder ? await embedder.embed(chunks.map((chunk) => chunk.text)) : null;
  timings.embedMs = lap();
  return {
    timings,
    embeddingModel: embedder?.model ?? null,
    embeddingUsage: embedded,
    chunks: chunks.map((chunk, index) => ({
      text: chunk.text,
      tokens: chunk.tokens,
      embedding: embedded?.vectors[index] ?? null,
    })),
  };
}

/**
 * The indexing job: reads the file, extracts its text, chunks it per the file's
 * `chunking_strategy`, embeds the chunks (when an embedding model is configured) and, in one
 * transaction, replaces the file's chunks and marks it `completed` with its `usage_bytes`. Files
 * that cannot be indexed end `failed` with OpenAI's `last_error` and no chunks. Idempotent: a
 * row no longer `in_progress` (cancelled, detached, done by an earlier attempt) is left alone.
 */
export async function indexVectorStoreFile(
  ctx: ServiceContext,
  target: FileIndexingTarget,
): Promise<IndexingOutcome> {
  const logger = ctx.logger.child(target);
  const started = performance.now();
  const row = await ctx.db.vectorStoreFile.findFirst({
    where: { ...target, projectId: ctx.actor.projectId },
    select: { status: true, chunkingStrategy: true },
  });
  if (row?.status !== 'in_progress') {
    logger.debug({ status: row?.status ?? null }, 'indexing skipped');
    return { status: 'skipped' };
  }
  let prepared: Awaited<ReturnType<typeof prepareChunks>>;
  try {
    prepared = await prepareChunks(ctx, target, row.chunkingStrategy);
  } catch (error) {
    if (error instanceof NotFoundError) {
      // The file was deleted meanwhile, and its vector-store rows with it.
      return { status: 'skipped' };
    }
    if (error instanceof ExtractionError) {
      logger.info({ code: error.code, reason: error.message }, 'file cannot be indexed');
      return failFile(ctx, target, error.code, error.message);
    }
    if (error instanceof EmbeddingError) {
      logger.warn({ err: error }, 'embedding failed');
      return failFile(ctx, target, 'server_error', error.message);
    }
    if (error instanceof BlobNotFoundError) {
      return failFile(ctx, target, 'server_error', "The file's content is missing from storage.");
    }
    // Unexpected: fail the file rather than leave it in_progress for pollers forever. If even
    // that fails (database down), the job is retried and starts over.
    logger.error({ err: error }, 'indexing failed');
    return failFile(ctx, target, 'server_error', 'The file could not be processed.');
  }
  const writeStarted = performance.now();
  const outcome = await withTransaction(
    ctx,
    async (tx): Promise<IndexingOutcome> => {
      // Metered in the transaction that keeps the vectors: an attempt that dies before it
      // commits leaves no record, and the job's retry embeds (and is metered) again. A skipped
      // file's embeddings were still paid for upstream, so they count too.
      if (prepared.embeddingModel && prepared.embeddingUsage) {
        await recordEmbeddingUsage(tx, prepared.embeddingModel, prepared.embeddingUsage);
      }
      // Holds off a concurrent cancel or re-attach until the chunks and the status agree.
      const [locked] = await tx.db.$queryRaw<{ status: string }[]>`
        SELECT status FROM vector_store_files
        WHERE vector_store_id = ${target.vectorStoreId} AND file_id = ${target.fileId}
          AND project_id = ${tx.actor.projectId}
        FOR NO KEY UPDATE`;
      if (locked?.status !== 'in_progress') {
        return { status: 'skipped' };
      }
      const usageBytes = await replaceFileChunks(
        tx,
        { ...target, embeddingModel: prepared.embeddingModel },
        prepared.chunks,
      );
      await tx.db.vectorStoreFile.update({
        where: { vectorStoreId_fileId: target },
        data: { status: 'completed', usageBytes: BigInt(usageBytes), lastError: SQL_NULL },
      });
      return { status: 'completed', chunks: prepared.chunks.length, usageBytes };
    },
    { timeoutMs: WRITE_TIMEOUT_MS },
  );
  logger.info(
    {
      ...outcome,
      ms: Math.round(performance.now() - started),
      ...prepared.timings,
      writeMs: Math.round(performance.now() - writeStarted),
      embedded: prepared.embeddingModel,
    },
    'file indexed',
  );
  return outcome;
}
