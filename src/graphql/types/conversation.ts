import { conversationObject } from '../../services/conversations/conversation-object.js';
import {
  createConversation,
  createConversationItems,
  deleteConversation,
  deleteConversationItem,
  getConversation,
  getConversationItem,
  listConversationItems,
  updateConversation,
} from '../../services/conversations/conversations.js';
import { parseInclude } from '../../services/responses/response-input.js';
import { presentItem } from '../../services/responses/response-object.js';
import { builder } from '../builder.js';
import { connectionOf, connectionType, DeletionResult, orderArg, toPageInput } from './common.js';
import { ResponseItemRef } from './response.js';

/** A conversation's items are the same items as a response's input and output. */
const ConversationItemConnection = connectionType('ConversationItem', ResponseItemRef);

export const ConversationNode = builder.prismaNode('Conversation', {
  description:
    'A conversation of the Responses API: items in order, appended by the responses created on it or directly.',
  id: { field: 'id', description: '`conv_…`' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, projectId: ctx.actor.projectId }),
  fields: (t) => ({
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    metadata: t.expose('metadata', { type: 'JSON', description: 'Up to 16 string pairs.' }),
    items: t.connection(
      {
        type: ResponseItemRef,
        description: 'The conversation’s items, newest first by default.',
        args: {
          ...orderArg,
          include: t.arg({
            type: 'JSON',
            description: 'OpenAI’s `include[]` (`file_search_call.results` shows search results).',
          }),
        },
        resolve: async (conversation, args, ctx) => {
          const include = parseInclude(args.include);
          const page = await listConversationItems(ctx, conversation.id, toPageInput(args));
          return connectionOf(
            { ...page, data: page.data.map((item) => presentItem(item, include)) },
            (item) => item.id,
          );
        },
      },
      ConversationItemConnection,
    ),
    openai: t.field({
      type: 'JSON',
      description: 'The conversation exactly as OpenAI’s Conversations API shows it.',
      resolve: (conversation) => conversationObject(conversation),
    }),
  }),
});

builder.prismaObjectField('Response', 'conversation', (t) =>
  t.relation('conversation', {
    nullable: true,
    description: 'The conversation the response read and extended, if any.',
  }),
);

const CreateConversationInput = builder.inputType('CreateConversationInput', {
  description: 'OpenAI’s create-conversation body; `items` take OpenAI’s input item shapes.',
  fields: (t) => ({
    items: t.field({ type: 'JSON', description: 'Up to 20 initial items, in order.' }),
    metadata: t.field({ type: 'JSON' }),
  }),
});

// Required fields are checked by the service, so a missing one is a 400 naming it.
const UpdateConversationInput = builder.inputType('UpdateConversationInput', {
  fields: (t) => ({ metadata: t.field({ type: 'JSON', description: 'Required.' }) }),
});

builder.queryFields((t) => ({
  conversation: t.prismaField({
    type: 'Conversation',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => getConversation(ctx, String(args.id), query),
  }),
  conversationItem: t.field({
    type: ResponseItemRef,
    args: {
      conversationId: t.arg.id({ required: true }),
      id: t.arg.id({ required: true }),
      include: t.arg({ type: 'JSON', description: 'OpenAI’s `include[]`.' }),
    },
    resolve: async (_root, args, ctx) => {
      const include = parseInclude(args.include);
      return presentItem(
        await getConversationItem(ctx, String(args.conversationId), String(args.id)),
        include,
      );
    },
  }),
}));

builder.mutationFields((t) => ({
  createConversation: t.prismaField({
    type: 'Conversation',
    args: { input: t.arg({ type: CreateConversationInput, required: true }) },
    resolve: (_query, _root, args, ctx) => createConversation(ctx, args.input),
  }),
  updateConversation: t.prismaField({
    type: 'Conversation',
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateConversationInput, required: true }),
    },
    resolve: (_query, _root, args, ctx) => updateConversation(ctx, String(args.id), args.input),
  }),
  deleteConversation: t.field({
    type: DeletionResult,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => deleteConversation(ctx, String(args.id)),
  }),
  createConversationItems: t.field({
    type: [ResponseItemRef],
    description: 'Appends up to 20 items to a conversation, in order; returns them as stored.',
    args: {
      conversationId: t.arg.id({ required: true }),
      items: t.arg({ type: 'JSON', description: 'Required: 1 to 20 input items.' }),
    },
    resolve: (_root, args, ctx) =>
      createConversationItems(ctx, String(args.conversationId), { items: args.items }),
  }),
  deleteConversationItem: t.prismaField({
    type: 'Conversation',
    description: 'Deletes one item of a conversation; returns the conversation.',
    args: { conversationId: t.arg.id({ required: true }), id: t.arg.id({ required: true }) },
    resolve: (_query, _root, args, ctx) =>
      deleteConversationItem(ctx, String(args.conversationId), String(args.id)),
  }),
}));
