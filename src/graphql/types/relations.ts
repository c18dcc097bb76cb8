import type { GraphQLResolveInfo } from 'graphql';
import type { ServiceContext } from '../../context.js';
import { assistantsByIds } from '../../services/assistants/assistant-reads.js';
import { filesByIds } from '../../services/files/files.js';
import { stepDetails } from '../../services/runs/run-columns.js';
import {
  activeRunsOfThreads,
  runPagesOfThreads,
  runsByIds,
  stepPagesOfRuns,
} from '../../services/runs/run-reads.js';
import { messagePages, messagesByIds, threadsByIds } from '../../services/threads/thread-reads.js';
import { vectorStorePagesOfFiles } from '../../services/vector-stores/vector-store-files.js';
import { vectorStoresByIds } from '../../services/vector-stores/vector-stores.js';
import { builder } from '../builder.js';
import { loadById, loadByParent, loadPage } from '../loaders.js';
import { Assistant } from './assistant.js';
import { connectionOf, FileReferenceRef, orderArg, toPageInput } from './common.js';
import { FileRef } from './file.js';
import {
  AttachmentRef,
  FileCitationRef,
  ImageFileRef,
  Message,
  MessageConnection,
} from './message.js';
import { Run, RunConnection } from './run.js';
import { RunStep, RunStepConnection } from './run-step.js';
import { Thread } from './thread.js';
import { CodeInterpreterResourcesRef, FileSearchResourcesRef } from './tools.js';
import { VectorStore, VectorStoreConnection } from './vector-store.js';
import { VectorStoreFile } from './vector-store-file.js';

/**
 * The graph's edges: each relation loads only when selected, and through a loader, so a level of
 * a query costs one batch read whatever the number of parents (see `loaders.ts`). A relation to
 * something deleted since (a file a citation names, a run's assistant) is null, not an error.
 */

const file = (ctx: ServiceContext, info: GraphQLResolveInfo, id: string | null | undefined) =>
  loadById(ctx, info, 'File', filesByIds, id);

builder.objectFields(Thread, (t) => ({
  messages: t.connection(
    {
      type: Message,
      description: 'Its messages, newest first by default.',
      args: orderArg,
      resolve: async (thread, args, ctx, info) =>
        connectionOf(
          await loadPage(
            ctx,
            info,
            'Thread.messages',
            args,
            (ids) => messagePages(ctx, 'thread', ids, toPageInput(args)),
            thread.id,
          ),
          (message) => message.id,
        ),
    },
    MessageConnection,
  ),
  runs: t.connection(
    {
      type: Run,
      description: 'Its runs, newest first by default.',
      args: orderArg,
      resolve: async (thread, args, ctx, info) =>
        connectionOf(
          await loadPage(
            ctx,
            info,
            'Thread.runs',
            args,
            (ids) => runPagesOfThreads(ctx, ids, toPageInput(args)),
            thread.id,
          ),
          (run) => run.id,
        ),
    },
    RunConnection,
  ),
  activeRun: t.field({
    type: Run,
    nullable: true,
    description: 'The run holding the thread now (queued through cancelling), if any.',
    resolve: (thread, _args, ctx, info) =>
      loadByParent(ctx, info, 'Thread.activeRun', activeRunsOfThreads, thread.id),
  }),
}));

builder.objectFields(Run, (t) => ({
  thread: t.field({
    type: Thread,
    nullable: true,
    resolve: (run, _args, ctx, info) => loadById(ctx, info, 'Thread', threadsByIds, run.threadId),
  }),
  assistant: t.field({
    type: Assistant,
    nullable: true,
    description: 'Null once the assistant is deleted: runs outlive it, as on OpenAI.',
    resolve: (run, _args, ctx, info) =>
      loadById(ctx, info, 'Assistant', assistantsByIds, run.assistantId),
  }),
  steps: t.connection(
    {
      type: RunStep,
      description: 'Its steps, newest first by default.',
      args: orderArg,
      resolve: async (run, args, ctx, info) =>
        connectionOf(
          await loadPage(
            ctx,
            info,
            'Run.steps',
            args,
            (ids) => stepPagesOfRuns(ctx, ids, toPageInput(args)),
            run.id,
          ),
          (step) => step.id,
        ),
    },
    RunStepConnection,
  ),
  messages: t.connection(
    {
      type: Message,
      description: 'The messages it wrote, newest first by default.',
      args: orderArg,
      resolve: async (run, args, ctx, info) =>
        connectionOf(
          await loadPage(
            ctx,
            info,
            'Run.messages',
            args,
            (ids) => messagePages(ctx, 'run', ids, toPageInput(args)),
            run.id,
          ),
          (message) => message.id,
        ),
    },
    MessageConnection,
  ),
}));

builder.objectFields(RunStep, (t) => ({
  run: t.field({
    type: Run,
    nullable: true,
    resolve: (step, _args, ctx, info) => loadById(ctx, info, 'Run', runsByIds, step.runId),
  }),
  thread: t.field({
    type: Thread,
    nullable: true,
    resolve: (step, _args, ctx, info) => loadById(ctx, info, 'Thread', threadsByIds, step.threadId),
  }),
  message: t.field({
    type: Message,
    nullable: true,
    description: 'For message_creation: the message the step wrote.',
    resolve: (step, _args, ctx, info) => {
      const details = stepDetails(step);
      return loadById(
        ctx,
        info,
        'Message',
        messagesByIds,
        details.type === 'message_creation' ? details.messageCreation.messageId : null,
      );
    },
  }),
}));

builder.objectFields(Message, (t) => ({
  thread: t.field({
    type: Thread,
    nullable: true,
    resolve: (message, _args, ctx, info) =>
      loadById(ctx, info, 'Thread', threadsByIds, message.threadId),
  }),
  run: t.field({
    type: Run,
    nullable: true,
    description: 'The run that wrote it, if any.',
    resolve: (message, _args, ctx, info) => loadById(ctx, info, 'Run', runsByIds, message.runId),
  }),
  assistant: t.field({
    type: Assistant,
    nullable: true,
    description: 'The assistant whose run wrote it; null if none, or deleted since.',
    resolve: (message, _args, ctx, info) =>
      loadById(ctx, info, 'Assistant', assistantsByIds, message.assistantId),
  }),
}));

const fileField = {
  type: FileRef,
  nullable: true,
  description: 'Null once the file is deleted.',
} as const;

builder.objectField(AttachmentRef, 'file', (t) =>
  t.field({
    ...fileField,
    resolve: (attachment, _args, ctx, info) => file(ctx, info, attachment.fileId),
  }),
);
builder.objectField(FileCitationRef, 'file', (t) =>
  t.field({
    ...fileField,
    resolve: (citation, _args, ctx, info) => file(ctx, info, citation.fileId),
  }),
);
builder.objectField(FileReferenceRef, 'file', (t) =>
  t.field({
    ...fileField,
    resolve: (reference, _args, ctx, info) => file(ctx, info, reference.fileId),
  }),
);
builder.objectField(ImageFileRef, 'file', (t) =>
  t.field({ ...fileField, resolve: (image, _args, ctx, info) => file(ctx, info, image.fileId) }),
);

builder.objectField(CodeInterpreterResourcesRef, 'files', (t) =>
  t.field({
    type: [FileRef],
    nullable: { list: false, items: true },
    description: 'The files of `fileIds`, in order; null where one is deleted.',
    resolve: (resources, _args, ctx, info) => resources.fileIds.map((id) => file(ctx, info, id)),
  }),
);
builder.objectField(FileSearchResourcesRef, 'vectorStores', (t) =>
  t.field({
    type: [VectorStore],
    nullable: { list: false, items: true },
    description: 'The stores of `vectorStoreIds`, in order; null where one is deleted.',
    resolve: (resources, _args, ctx, info) =>
      resources.vectorStoreIds.map((id) =>
        loadById(ctx, info, 'VectorStore', vectorStoresByIds, id),
      ),
  }),
);

builder.objectFields(VectorStoreFile, (t) => ({
  file: t.field({
    ...fileField,
    resolve: (membership, _args, ctx, info) => file(ctx, info, membership.id),
  }),
  vectorStore: t.field({
    type: VectorStore,
    nullable: true,
    resolve: (membership, _args, ctx, info) =>
      loadById(ctx, info, 'VectorStore', vectorStoresByIds, membership.vectorStoreId),
  }),
}));

builder.objectField(FileRef, 'vectorStores', (t) =>
  t.connection(
    {
      type: VectorStore,
      description: 'The vector stores it is attached to, most recently attached first by default.',
      args: orderArg,
      resolve: async (owner, args, ctx, info) => {
        const page = await loadPage(
          ctx,
          info,
          'File.vectorStores',
          args,
          (ids) => vectorStorePagesOfFiles(ctx, ids, toPageInput(args)),
          owner.id,
        );
        const stores = await Promise.all(
          page.data.map((membership) =>
            loadById(ctx, info, 'VectorStore', vectorStoresByIds, membership.vectorStoreId),
          ),
        );
        return connectionOf(
          { ...page, data: stores.filter((store) => store !== null) },
          (store) => store.id,
        );
      },
    },
    VectorStoreConnection,
  ),
);
