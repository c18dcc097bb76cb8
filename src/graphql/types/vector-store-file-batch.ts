import {
  cancelVectorStoreFileBatch,
  createVectorStoreFileBatch,
  fileBatchesByIds,
  getVectorStoreFileBatch,
  listVectorStoreFileBatchFiles,
  type VectorStoreFileBatchView,
} from '../../services/vector-stores/vector-store-file-batches.js';
import { vectorStoreFilePages } from '../../services/vector-stores/vector-store-files.js';
import { builder } from '../builder.js';
import { loadPage } from '../loaders.js';
import { ChunkingStrategyInput } from './chunking-strategy.js';
import { connectionOf, toPageInput } from './common.js';
import { FileCountsRef } from './vector-store.js';
import { fileListArgs, VectorStoreFile, VectorStoreFileConnection } from './vector-store-file.js';

const VectorStoreFileBatchStatus = builder.enumType('VectorStoreFileBatchStatus', {
  values: {
    in_progress: { description: 'Some of its files are still being indexed.' },
    completed: { description: 'Every file is processed (some may have failed).' },
    cancelled: { description: 'Cancelled: files not yet indexed were cancelled.' },
    failed: { description: 'Every file failed.' },
  } as const,
});

export const VectorStoreFileBatch = builder.node(
  builder.objectRef<VectorStoreFileBatchView>('VectorStoreFileBatch'),
  {
    description: 'Files attached to a vector store together; status and counts follow them.',
    id: { resolve: (batch) => batch.id, description: '`vsfb_…`' },
    loadManyWithoutCache: async (ids, ctx) => {
      const batches = await fileBatchesByIds(ctx, ids);
      return ids.map((id) => batches.get(id) ?? null);
    },
    fields: (t) => ({
      vectorStoreId: t.exposeString('vectorStoreId'),
      createdAt: t.expose('createdAt', { type: 'UnixTime' }),
      status: t.field({ type: VectorStoreFileBatchStatus, resolve: (batch) => batch.status }),
      fileCounts: t.field({ type: FileCountsRef, resolve: (batch) => batch.fileCounts }),
      files: t.connection(
        {
          type: VectorStoreFile,
          description: 'The files of this batch, newest first by default.',
          args: fileListArgs,
          resolve: async (batch, args, ctx, info) =>
            connectionOf(
              await loadPage(
                ctx,
                info,
                'VectorStoreFileBatch.files',
                args,
                (ids) =>
                  vectorStoreFilePages(ctx, 'batch', ids, {
                    filter: args.filter,
                    page: toPageInput(args),
                  }),
                batch.id,
              ),
              (file) => file.id,
            ),
        },
        VectorStoreFileConnection,
      ),
    }),
  },
);

const VectorStoreFileBatchItemInput = builder.inputType('VectorStoreFileBatchItemInput', {
  fields: (t) => ({
    fileId: t.string({ required: true }),
    attributes: t.field({ type: 'JSON' }),
    chunkingStrategy: t.field({ type: ChunkingStrategyInput }),
  }),
});

const CreateVectorStoreFileBatchInput = builder.inputType('CreateVectorStoreFileBatchInput', {
  description: 'Exactly one of fileIds and files (each 1–2000).',
  fields: (t) => ({
    fileIds: t.stringList({ description: 'Files sharing attributes and chunkingStrategy.' }),
    files: t.field({
      type: [VectorStoreFileBatchItemInput],
      description: 'Files with their own attributes and chunking (the shared ones are ignored).',
    }),
    chunkingStrategy: t.field({ type: ChunkingStrategyInput }),
    attributes: t.field({ type: 'JSON' }),
  }),
});

const batchArgs = builder.args((t) => ({
  vectorStoreId: t.id({ required: true }),
  batchId: t.id({ required: true }),
}));

builder.queryFields((t) => ({
  vectorStoreFileBatch: t.field({
    type: VectorStoreFileBatch,
    nullable: true,
    description:
      'One file batch of a vector store; null, with a NOT_FOUND error at its path, when there is none in this project (its siblings still resolve).',
    args: batchArgs,
    resolve: (_root, args, ctx) =>
      getVectorStoreFileBatch(ctx, String(args.vectorStoreId), String(args.batchId)),
  }),
  vectorStoreFileBatchFiles: t.connection(
    {
      type: VectorStoreFile,
      description: 'Files of a batch, newest first by default.',
      args: { ...batchArgs, ...fileListArgs },
      resolve: async (_root, args, ctx) =>
        connectionOf(
          await listVectorStoreFileBatchFiles(
            ctx,
            String(args.vectorStoreId),
            String(args.batchId),
            { filter: args.filter, page: toPageInput(args) },
          ),
          (file) => file.id,
        ),
    },
    VectorStoreFileConnection,
  ),
}));

builder.mutationFields((t) => ({
  createVectorStoreFileBatch: t.field({
    type: VectorStoreFileBatch,
    description: 'Attaches files together and starts indexing them.',
    args: {
      vectorStoreId: t.arg.id({ required: true }),
      input: t.arg({ type: CreateVectorStoreFileBatchInput, required: true }),
    },
    resolve: (_root, args, ctx) =>
      createVectorStoreFileBatch(ctx, String(args.vectorStoreId), args.input),
  }),
  cancelVectorStoreFileBatch: t.field({
    type: VectorStoreFileBatch,
    description: 'Cancels the files of the batch not yet indexed.',
    args: batchArgs,
    resolve: (_root, args, ctx) =>
      cancelVectorStoreFileBatch(ctx, String(args.vectorStoreId), String(args.batchId)),
  }),
}));
