import type { FileCounts } from '../../services/vector-stores/vector-store-counts.js';
import type { ExpiresAfter } from '../../services/vector-stores/vector-store-inputs.js';
import {
  createVectorStore,
  deleteVectorStore,
  getVectorStore,
  listVectorStores,
  updateVectorStore,
  type VectorStoreView,
  vectorStoresByIds,
} from '../../services/vector-stores/vector-stores.js';
import { builder } from '../builder.js';
import { ChunkingStrategyInput } from './chunking-strategy.js';
import { connectionOf, connectionType, DeletionResult, orderArg, toPageInput } from './common.js';

export const VectorStoreStatus = builder.enumType('VectorStoreStatus', {
  values: {
    expired: { description: 'Past expiresAt: it can no longer be searched or used in runs.' },
    in_progress: { description: 'Some files are still being indexed.' },
    completed: { description: 'Every file is processed; ready for use.' },
  } as const,
});

export const FileCountsRef = builder.objectRef<FileCounts>('VectorStoreFileCounts').implement({
  description: 'How many files are in each status, derived from the files themselves.',
  fields: (t) => ({
    inProgress: t.exposeInt('inProgress'),
    completed: t.exposeInt('completed'),
    failed: t.exposeInt('failed'),
    cancelled: t.exposeInt('cancelled'),
    total: t.exposeInt('total'),
  }),
});

const ExpiryAnchor = builder.enumType('VectorStoreExpiryAnchor', {
  values: { last_active_at: { description: 'Counted from the last time the store was used.' } },
});

const ExpiresAfterRef = builder.objectRef<ExpiresAfter>('VectorStoreExpiresAfter').implement({
  description: 'The expiry policy: the store expires `days` after `anchor`.',
  fields: (t) => ({
    anchor: t.field({ type: ExpiryAnchor, resolve: (policy) => policy.anchor }),
    days: t.exposeInt('days', { description: '1–365.' }),
  }),
});

export const VectorStore = builder.node(builder.objectRef<VectorStoreView>('VectorStore'), {
  description: 'A searchable collection of files, used by the file_search tool.',
  id: { resolve: (store) => store.id, description: '`vs_…`' },
  loadManyWithoutCache: async (ids, ctx) => {
    const stores = await vectorStoresByIds(ctx, ids);
    return ids.map((id) => stores.get(id) ?? null);
  },
  fields: (t) => ({
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    status: t.field({ type: VectorStoreStatus, resolve: (store) => store.status }),
    usageBytes: t.exposeFloat('usageBytes', { description: 'Bytes used by its files’ chunks.' }),
    fileCounts: t.field({ type: FileCountsRef, resolve: (store) => store.fileCounts }),
    expiresAfter: t.field({
      type: ExpiresAfterRef,
      nullable: true,
      resolve: (store) => store.expiresAfter,
    }),
    expiresAt: t.expose('expiresAt', { type: 'UnixTime', nullable: true }),
    lastActiveAt: t.expose('lastActiveAt', {
      type: 'UnixTime',
      nullable: true,
      description: 'Last time it was searched or used by a run.',
    }),
    metadata: t.expose('metadata', { type: 'JSON', description: 'Up to 16 string pairs.' }),
  }),
});

export const VectorStoreConnection = connectionType('VectorStore', VectorStore);

const ExpiresAfterInput = builder.inputType('VectorStoreExpiresAfterInput', {
  fields: (t) => ({
    anchor: t.field({ type: ExpiryAnchor, required: true }),
    days: t.int({ required: true, description: '1–365.' }),
  }),
});

const CreateVectorStoreInput = builder.inputType('CreateVectorStoreInput', {
  fields: (t) => ({
    fileIds: t.stringList({ description: 'Files to index (at most 500).' }),
    name: t.string(),
    description: t.string(),
    expiresAfter: t.field({ type: ExpiresAfterInput }),
    chunkingStrategy: t.field({ type: ChunkingStrategyInput, description: 'For fileIds.' }),
    metadata: t.field({ type: 'JSON' }),
  }),
});

const UpdateVectorStoreInput = builder.inputType('UpdateVectorStoreInput', {
  description: 'Only the fields given change; `expiresAfter: null` removes the expiry policy.',
  fields: (t) => ({
    name: t.string(),
    expiresAfter: t.field({ type: ExpiresAfterInput }),
    metadata: t.field({ type: 'JSON' }),
  }),
});

builder.queryFields((t) => ({
  vectorStore: t.field({
    type: VectorStore,
    nullable: true,
    description:
      'One vector store by id; null, with a NOT_FOUND error at its path, when there is none in this project (its siblings still resolve).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => getVectorStore(ctx, String(args.id)),
  }),
  vectorStores: t.connection(
    {
      type: VectorStore,
      description: 'Vector stores, newest first by default.',
      args: orderArg,
      resolve: async (_root, args, ctx) =>
        connectionOf(await listVectorStores(ctx, toPageInput(args)), (store) => store.id),
    },
    VectorStoreConnection,
  ),
}));

builder.mutationFields((t) => ({
  createVectorStore: t.field({
    type: VectorStore,
    description: 'Creates a store; its files are indexed in the background.',
    args: { input: t.arg({ type: CreateVectorStoreInput, required: false }) },
    resolve: (_root, args, ctx) => createVectorStore(ctx, args.input ?? {}),
  }),
  updateVectorStore: t.field({
    type: VectorStore,
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateVectorStoreInput, required: true }),
    },
    resolve: (_root, args, ctx) => updateVectorStore(ctx, String(args.id), args.input),
  }),
  deleteVectorStore: t.field({
    type: DeletionResult,
    description: 'Deletes the store and its chunks; the files themselves remain.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => deleteVectorStore(ctx, String(args.id)),
  }),
}));
