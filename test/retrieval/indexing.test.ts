import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import { bytesToVector } from '../../src/retrieval/float-vectors.js';
import { deleteFile } from '../../src/services/files/files.js';
import {
  deleteVectorStoreFile,
  getVectorStoreFile,
} from '../../src/services/vector-stores/vector-store-files.js';
import { indexVectorStoreFile } from '../../src/services/vector-stores/vector-store-indexing.js';
import { deleteVectorStore } from '../../src/services/vector-stores/vector-stores.js';
import { startTestApp, type TestApp } from '../setup/app.js';
import { type FakeUpstream, startFakeUpstream } from '../setup/fake-upstream.js';
import { buildPdf } from './build-pdf.js';
import { addFile, newVectorStore, serviceContext } from './retrieval-fixtures.js';

let upstream: FakeUpstream;
let app: TestApp;
let ctx: ServiceContext;

beforeAll(async () => {
  upstream = await startFakeUpstream({ embeddingDimensions: 64 });
  app = await startTestApp(
    { LLM_BASE_URL: upstream.url, EMBEDDING_MODEL: 'fake-embed', EMBEDDING_BATCH_SIZE: '3' },
    { worker: false },
  );
  ctx = await serviceContext(app);
});

afterAll(async () => {
  await app?.close();
  await upstream?.close();
});

async function chunksOf(vectorStoreId: string, fileId: string) {
  return app.deps.db.vectorStoreChunk.findMany({
    where: { vectorStoreId, fileId },
    orderBy: { chunkIndex: 'asc' },
  });
}

function paragraphs(count: number): string {
  return Array.from(
    { length: count },
    (_, index) => `Paragraph ${index} talks about topic ${index % 7} and nothing else.`,
  ).join('\n\n');
}

describe('indexing a vector-store file', () => {
  it('chunks and embeds the text, then marks the file completed with its usage', async () => {
    const store = await newVectorStore(ctx);
    const text = paragraphs(200);
    const { fileId, outcome } = await addFile(ctx, store, 'notes.md', text, {
      chunkingStrategy: {
        type: 'static',
        static: { maxChunkSizeTokens: 200, chunkOverlapTokens: 50 },
      },
    });
    const chunks = await chunksOf(store, fileId);
    expect(chunks.length).toBeGreaterThan(10);
    const usageBytes = chunks.reduce((sum, chunk) => sum + Buffer.byteLength(chunk.text), 0);
    expect(outcome).toEqual({ status: 'completed', chunks: chunks.length, usageBytes });
    const file = await getVectorStoreFile(ctx, store, fileId);
    expect(file).toMatchObject({ status: 'completed', usageBytes, lastError: null });
    expect(chunks.map((chunk) => chunk.chunkIndex)).toEqual(chunks.map((_, index) => index));
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(200);
      expect(chunk.embeddingModel).toBe('fake-embed');
      const vector = bytesToVector(chunk.embedding ?? new Uint8Array());
      expect(vector).toHaveLength(64);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    }
    expect(chunks[0]?.text.startsWith('Paragraph 0 talks')).toBe(true);
    expect(
      chunks.at(-1)?.text.endsWith('Paragraph 199 talks about topic 3 and nothing else.'),
    ).toBe(true);
    // Batches of EMBEDDING_BATCH_SIZE inputs, in order.
    const sent = upstream.embeddingRequests.filter((request) =>
      (request.body.input as string[]).some((input) => chunks.some((c) => c.text === input)),
    );
    expect(sent.length).toBe(Math.ceil(chunks.length / 3));
  });

  it('is idempotent: running again replaces nothing, and a re-run after a reset writes no duplicates', async () => {
    const store = await newVectorStore(ctx);
    const { fileId } = await addFile(ctx, store, 'a.txt', paragraphs(60));
    const before = await chunksOf(store, fileId);
    // The job delivered twice: the row is completed, so the second run is skipped.
    expect(await indexVectorStoreFile(ctx, { vectorStoreId: store, fileId })).toEqual({
      status: 'skipped',
    });
    // A retried attempt that finds the row in progress again rewrites the chunks once.
    await app.deps.db.vectorStoreFile.update({
      where: { vectorStoreId_fileId: { vectorStoreId: store, fileId } },
      data: { status: 'in_progress' },
    });
    const again = await indexVectorStoreFile(ctx, { vectorStoreId: store, fileId });
    expect(again.status).toBe('completed');
    const after = await chunksOf(store, fileId);
    expect(after.map((chunk) => chunk.text)).toEqual(before.map((chunk) => chunk.text));
  });

  it('indexes PDFs', async () => {
    const store = await newVectorStore(ctx);
    const pdf = buildPdf([['The warranty lasts two years.'], ['Batteries are excluded.']]);
    const { fileId, outcome } = await addFile(ctx, store, 'warranty.pdf', pdf);
    expect(outcome.status).toBe('completed');
    const [chunk] = await chunksOf(store, fileId);
    expect(chunk?.text).toBe('The warranty lasts two years.\n\nBatteries are excluded.');
  });

  it('fails empty, unsupported and corrupt files with OpenAI’s last_error, leaving no chunks', async () => {
    const store = await newVectorStore(ctx);
    const cases = [
      ['empty.txt', '', 'invalid_file', 'The file is empty.'],
      ['image.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47]), 'unsupported_file', null],
      ['broken.pdf', '%PDF-1.4 not really', 'invalid_file', null],
      ['broken.json', '{"a":', 'invalid_file', 'The file is not valid JSON.'],
    ] as const;
    for (const [name, content, code, message] of cases) {
      const { fileId, outcome } = await addFile(ctx, store, name, content);
      expect(outcome, name).toMatchObject({ status: 'failed', code });
      const file = await getVectorStoreFile(ctx, store, fileId);
      expect(file.status, name).toBe('failed');
      expect(file.usageBytes, name).toBe(0);
      expect(file.lastError?.code, name).toBe(code);
      if (message) {
        expect(file.lastError?.message, name).toBe(message);
      }
      expect(await chunksOf(store, fileId), name).toEqual([]);
    }
  });

  it('fails with server_error when the embedding model fails, leaving no chunks', async () => {
    const broken = await startTestApp(
      {
        LLM_BASE_URL: upstream.url,
        EMBEDDING_MODEL: 'fake-embed',
        EMBEDDING_BASE_URL: 'http://127.0.0.1:9/v1',
        LLM_MAX_RETRIES: '0',
      },
      { worker: false },
    );
    try {
      const brokenCtx = await serviceContext(broken);
      const store = await newVectorStore(brokenCtx);
      const { fileId, outcome } = await addFile(brokenCtx, store, 'a.txt', 'some text');
      expect(outcome).toMatchObject({ status: 'failed', code: 'server_error' });
      if (outcome.status === 'failed') {
        expect(outcome.message).toMatch(/^The embedding model 'fake-embed' failed/);
      }
      expect(await broken.deps.db.vectorStoreChunk.count({ where: { fileId } })).toBe(0);
    } finally {
      await broken.close();
    }
  });

  it('skips a file detached or cancelled before the job ran', async () => {
    const store = await newVectorStore(ctx);
    const { fileId } = await addFile(ctx, store, 'a.txt', 'text');
    await deleteVectorStoreFile(ctx, store, fileId);
    expect(await indexVectorStoreFile(ctx, { vectorStoreId: store, fileId })).toEqual({
      status: 'skipped',
    });
    const other = await addFile(ctx, store, 'b.txt', 'text');
    await app.deps.db.vectorStoreFile.update({
      where: { vectorStoreId_fileId: { vectorStoreId: store, fileId: other.fileId } },
      data: { status: 'cancelled' },
    });
    expect(await indexVectorStoreFile(ctx, { vectorStoreId: store, fileId: other.fileId })).toEqual(
      { status: 'skipped' },
    );
  });

  it('removes chunks with the vector-store file, the file and the store', async () => {
    const store = await newVectorStore(ctx);
    const detached = await addFile(ctx, store, 'a.txt', paragraphs(5));
    const deleted = await addFile(ctx, store, 'b.txt', paragraphs(5));
    const kept = await addFile(ctx, store, 'c.txt', paragraphs(5));
    const count = () => app.deps.db.vectorStoreChunk.count({ where: { vectorStoreId: store } });
    expect(await count()).toBe(3);
    await deleteVectorStoreFile(ctx, store, detached.fileId);
    expect(await count()).toBe(2);
    await deleteFile(ctx, deleted.fileId);
    expect(await count()).toBe(1);
    expect((await chunksOf(store, kept.fileId)).length).toBe(1);
    await deleteVectorStore(ctx, store);
    expect(await count()).toBe(0);
  });
});
