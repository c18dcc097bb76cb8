import {
  VECTOR_STORE_FILE_STATUSES,
  type VectorStoreFileError,
  type VectorStoreFileView,
} from '../../services/vector-stores/vector-store-file-view.js';
import {
  createVectorStoreFile,
  deleteVectorStoreFile,
  getVectorStoreFile,
  listVectorStoreFiles,
  updateVectorStoreFileAttributes,
  vectorStoreFilePages,
} from '../../services/vector-stores/vector-store-files.js';
import { builder } from '../builder.js';
import { loadPage } from '../loaders.js';
import { ChunkingStrategyInput, ChunkingStrategyRef } from './chunking-strategy.js';
import { connectionOf, connectionType, DeletionResult, orderArg, toPageInput } from './common.js';
import { VectorStore } from './vector-store.js';

export const VectorStoreFileStatus = builder.enumType('VectorStoreFileStatus', {
  values: VECTOR_STORE_FILE_STATUSES,
});

const VectorStoreFileErrorCode = builder.enumType('VectorStoreFileErrorCode', {
  values: ['server_error', 'unsupported_file', 'invalid_file'] as const,
});

const VectorStoreFileErrorRef = builder
  .objectRef<VectorStoreFileError>('VectorStoreFileError')
  .implement({
    description: 'Why indexing the file failed.',
    fields: (t) => ({
      code: t.field({ type: VectorStoreFileErrorCode, resolve: (error) => error.code }),
      message: t.exposeString('message'),
    }),
  });

export const VectorStoreFile = builder.objectRef<VectorStoreFileView>('VectorStoreFile').implement({
  description: 'A file attached to a vector store. Its id is the File’s id.',
  fields: (t) => ({
    id: t.exposeID('id', { description: '`file-…` (the File’s id).' }),
    vectorStoreId: t.exposeString('vectorStoreId'),
    batchId: t.exposeString('batchId', {
      nullable: true,
      description: 'The file batch that attached it, if any.',
    }),
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    status: t.field({ type: VectorStoreFileStatus, resolve: (file) => file.status }),
    usageBytes: t.exposeFloat('usageBytes', { description: 'Bytes its chunks take.' }),
    lastError: t.field({
      type: VectorStoreFileErrorRef,
      nullable: true,
      resolve: (file) => file.lastError,
    }),
    chunkingStrategy: t.field({
      type: ChunkingStrategyRef,
      resolve: (file) => file.chunkingStrategy,
    }),
    attributes: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Up to 16 pairs of string (≤ 512), number or boolean; search filters use them.',
      resolve: (file) => file.attributes,
    }),
  }),
});

export const VectorStoreFileConnection = connectionType('VectorStoreFile', VectorStoreFile);

/** The list arguments plus OpenAI's status `filter`. */
export const fileListArgs = builder.args((t) => ({
  ...orderArg,
  filter: t.field({
    type: VectorStoreFileStatus,
    required: false,
    description: 'Only this status.',
  }),
}));

const CreateVectorStoreFileInput = builder.inputType('CreateVectorStoreFileInput', {
  fields: (t) => ({
    fileId: t.string({ required: true }),
    chunkingStrategy: t.field({ type: ChunkingStrategyInput }),
    attributes: t.field({ type: 'JSON' }),
  }),
});

const UpdateVectorStoreFileAttributesInput = builder.inputType(
  'UpdateVectorStoreFileAttributesInput',
  {
    fields: (t) => ({
      attributes: t.field({ type: 'JSON', description: 'Replaces them; null clears them.' }),
    }),
  },
);

builder.objectField(VectorStore, 'files', (t) =>
  t.connection(
    {
      type: VectorStoreFile,
      description: 'Its files, newest first by default.',
      args: fileListArgs,
      resolve: async (store, args, ctx, info) =>
        connectionOf(
          await loadPage(
            ctx,
            info,
            'VectorStore.files',
            args,
            (ids) =>
              vectorStoreFilePages(ctx, 'vectorStore', ids, {
                filter: args.filter,
                page: toPageInput(args),
              }),
            store.id,
          ),
          (file) => file.id,
        ),
    },
    VectorStoreFileConnection,
  ),
);

builder.queryFields((t) => ({
  vectorStoreFile: t.field({
    type: VectorStoreFile,
    nullable: true,
    description:
      'One file of a vector store; null, with a NOT_FOUND error at its path, when there is none in this project (its siblings still resolve).',
    args: {
      vectorStoreId: t.arg.id({ required: true }),
      fileId: t.arg.id({ required: true }),
    },
    resolve: (_root, args, ctx) =>
      getVectorStoreFile(ctx, String(args.vectorStoreId), String(args.fileId)),
  }),
  vectorStoreFiles: t.connection(
    {
      type: VectorStoreFile,
      description: 'Files of a vector store, newest first by default.',
      args: { vectorStoreId: t.arg.id({ required: true }), ...fileListArgs },
      resolve: async (_root, args, ctx) =>
        connectionOf(
          await listVectorStoreFiles(ctx, String(args.vectorStoreId), {
            filter: args.filter,
            page: toPageInput(args),
          }),
          (file) => file.id,
        ),
    },
    VectorStoreFileConnection,
  ),
}));

builder.mutationFields((t) => ({
  createVectorStoreFile: t.field({
    type: VectorStoreFile,
    description:
      'Attaches a File and starts indexing it (in_progress). Attaching a file already there returns it unchanged, or indexes it again if it failed or was cancelled.',
    args: {
      vectorStoreId: t.arg.id({ required: true }),
      input: t.arg({ type: CreateVectorStoreFileInput, required: true }),
    },
    resolve: (_root, args, ctx) =>
      createVectorStoreFile(ctx, String(args.vectorStoreId), args.input),
  }),
  updateVectorStoreFileAttributes: t.field({
    type: VectorStoreFile,
    args: {
      vectorStoreId: t.arg.id({ required: true }),
      fileId: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateVectorStoreFileAttributesInput, required: true }),
    },
    resolve: (_root, args, ctx) =>
      updateVectorStoreFileAttributes(
        ctx,
        String(args.vectorStoreId),
        String(args.fileId),
        args.input,
      ),
  }),
  deleteVectorStoreFile: t.field({
    type: DeletionResult,
    description: 'Detaches the file (and drops its chunks); the File itself remains.',
    args: {
      vectorStoreId: t.arg.id({ required: true }),
      fileId: t.arg.id({ required: true }),
    },
    resolve: (_root, args, ctx) =>
      deleteVectorStoreFile(ctx, String(args.vectorStoreId), String(args.fileId)),
  }),
}));
