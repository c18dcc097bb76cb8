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
import { connectionOf, connectionType, DeletionResult, orderArg, toPageInput } from './common.js';
import { CreateMessageInput } from './message.js';
import { ToolResourcesInput, ToolResourcesRef } from './tools.js';

export const Thread = builder.prismaNode('Thread', {
  description: 'A conversation: messages, and the runs that answer them.',
  id: { field: 'id', description: '`thread_…`' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, projectId: ctx.actor.projectId }),
  fields: (t) => ({
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

export const ThreadConnection = connectionType('Thread', Thread);

const ThreadFilterInput = builder.inputType('ThreadFilter', {
  description: 'Every condition given must hold.',
  fields: (t) => ({
    metadata: t.field({
      type: builder.inputType('MetadataEquals', {
        description: 'A metadata key and the value it must have.',
        fields: (f) => ({
          key: f.string({ required: true }),
          value: f.string({ required: true }),
        }),
      }),
    }),
    createdAfter: t.field({ type: 'UnixTime', description: 'Created at or after.' }),
    createdBefore: t.field({ type: 'UnixTime', description: 'Created before.' }),
  }),
});

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
    nullable: true,
    description:
      'One thread by id; null, with a NOT_FOUND error at its path, when there is none in this project (its siblings still resolve).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => getThread(ctx, String(args.id), query),
  }),
  threads: t.connection(
    {
      type: Thread,
      description: 'Threads of the project, newest first by default (not in OpenAI’s REST API).',
      args: { ...orderArg, filter: t.arg({ type: ThreadFilterInput }) },
      resolve: async (_root, args, ctx) =>
        connectionOf(
          await listThreads(ctx, toPageInput(args), {}, args.filter ?? {}),
          (thread) => thread.id,
        ),
    },
    ThreadConnection,
  ),
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

builder.prismaObjectField('Response', 'thread', (t) =>
  t.relation('thread', {
    nullable: true,
    description:
      'The Assistants thread the response read and extended, when `conversation` named one (the migration bridge).',
  }),
);
