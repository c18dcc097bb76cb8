import { queryFromInfo } from '@pothos/plugin-prisma';
import { storedToolResourcesSchema } from '../../services/assistants/tool-resources.js';
import { parseJsonColumn } from '../../services/common/json-column.js';
import {
  createThread,
  deleteThread,
  getThread,
  listThreads,
  updateThread,
} from '../../services/threads/threads.js';
import { builder } from '../builder.js';
import { DeletionResult, pageArgs, pageType, toPageInput } from './common.js';
import { CreateMessageInput } from './message.js';
import { ToolResourcesInput, ToolResourcesRef } from './tools.js';

export const Thread = builder.prismaObject('Thread', {
  description: 'A conversation: messages, and the runs that answer them.',
  fields: (t) => ({
    id: t.exposeID('id', { description: '`thread_…`' }),
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    toolResources: t.field({
      type: ToolResourcesRef,
      nullable: true,
      resolve: (thread) =>
        parseJsonColumn(storedToolResourcesSchema.nullable(), thread.toolResources, {
          table: 'threads',
          id: thread.id,
          column: 'toolResources',
        }),
    }),
    metadata: t.expose('metadata', { type: 'JSON', description: 'Up to 16 string pairs.' }),
  }),
});

const ThreadList = pageType('Thread', Thread);

const CreateThreadInput = builder.inputType('CreateThreadInput', {
  fields: (t) => ({
    messages: t.field({ type: [CreateMessageInput], description: 'Initial messages, in order.' }),
    toolResources: t.field({ type: ToolResourcesInput }),
    metadata: t.field({ type: 'JSON' }),
  }),
});

const UpdateThreadInput = builder.inputType('UpdateThreadInput', {
  description: 'Only the fields given change. toolResources is replaced.',
  fields: (t) => ({
    toolResources: t.field({ type: ToolResourcesInput }),
    metadata: t.field({ type: 'JSON' }),
  }),
});

builder.queryFields((t) => ({
  thread: t.prismaField({
    type: 'Thread',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => getThread(ctx, String(args.id), query),
  }),
  threads: t.field({
    type: ThreadList,
    description: 'Threads of the project, newest first by default (not in OpenAI’s REST API).',
    args: pageArgs,
    resolve: (_root, args, ctx, info) =>
      listThreads(
        ctx,
        toPageInput(args),
        queryFromInfo({ context: ctx, info, typeName: 'Thread', path: ['data'] }),
      ),
  }),
}));

builder.mutationFields((t) => ({
  createThread: t.prismaField({
    type: 'Thread',
    args: { input: t.arg({ type: CreateThreadInput, required: false }) },
    resolve: (query, _root, args, ctx) =>
      createThread(
        ctx,
        {
          ...args.input,
          messages: args.input?.messages,
        },
        query,
      ),
  }),
  updateThread: t.prismaField({
    type: 'Thread',
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateThreadInput, required: true }),
    },
    resolve: (query, _root, args, ctx) => updateThread(ctx, String(args.id), args.input, query),
  }),
  deleteThread: t.field({
    type: DeletionResult,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => deleteThread(ctx, String(args.id)),
  }),
}));
