import { knownFields } from '../body-fields.js';
import { RestError } from '../errors.js';
import {
  CreateConversationDocument,
  CreateConversationItemsDocument,
  DeleteConversationDocument,
  DeleteConversationItemDocument,
  GetConversationDocument,
  GetConversationItemDocument,
  ListConversationItemsDocument,
  UpdateConversationDocument,
} from '../generated/operations.js';
import { itemList, pageVariables } from '../list.js';
import type { Route } from '../router.js';

/** `include` from the query string: `include[]=a&include[]=b`, or a single `include=a`. */
function includeVariable(include: unknown): unknown {
  return include === undefined ? null : typeof include === 'string' ? [include] : include;
}

export const conversationRoutes: Route[] = [
  {
    method: 'POST',
    path: '/conversations',
    beta: false,
    async handle({ body, run }) {
      const data = await run(CreateConversationDocument, {
        input: knownFields(body, ['items', 'metadata']),
      });
      return data.createConversation.openai;
    },
  },
  {
    method: 'GET',
    path: '/conversations/:conversation_id',
    beta: false,
    async handle({ params, run }) {
      const data = await run(GetConversationDocument, { id: params.conversation_id });
      if (!data.conversation) {
        throw new RestError(404, `Conversation with id '${params.conversation_id}' not found.`);
      }
      return data.conversation.openai;
    },
  },
  {
    method: 'POST',
    path: '/conversations/:conversation_id',
    beta: false,
    async handle({ params, body, run }) {
      const data = await run(UpdateConversationDocument, {
        id: params.conversation_id,
        input: knownFields(body, ['metadata']),
      });
      return data.updateConversation.openai;
    },
  },
  {
    method: 'DELETE',
    path: '/conversations/:conversation_id',
    beta: false,
    async handle({ params, run }) {
      const data = await run(DeleteConversationDocument, { id: params.conversation_id });
      return { id: data.deleteConversation.id, object: 'conversation.deleted', deleted: true };
    },
  },
  {
    method: 'GET',
    path: '/conversations/:conversation_id/items',
    beta: false,
    async handle({ params, query, run }) {
      const { include, ...rest } = query;
      const page = pageVariables(rest);
      const data = await run(ListConversationItemsDocument, {
        id: params.conversation_id,
        first: page.first,
        after: page.after,
        order: page.order,
        include: includeVariable(include),
      });
      if (!data.conversation) {
        throw new RestError(404, `Conversation with id '${params.conversation_id}' not found.`);
      }
      const { edges, pageInfo } = data.conversation.items;
      return itemList(
        edges.map((edge) => edge.node),
        pageInfo.hasNextPage,
      );
    },
  },
  {
    method: 'POST',
    path: '/conversations/:conversation_id/items',
    beta: false,
    async handle({ params, body, run }) {
      const data = await run(CreateConversationItemsDocument, {
        conversationId: params.conversation_id,
        items: knownFields(body, ['items']).items,
      });
      return itemList(data.createConversationItems, false);
    },
  },
  {
    method: 'GET',
    path: '/conversations/:conversation_id/items/:item_id',
    beta: false,
    async handle({ params, query, run }) {
      const data = await run(GetConversationItemDocument, {
        conversationId: params.conversation_id,
        id: params.item_id,
        include: includeVariable(query.include),
      });
      return data.conversationItem.data;
    },
  },
  {
    method: 'DELETE',
    path: '/conversations/:conversation_id/items/:item_id',
    beta: false,
    async handle({ params, run }) {
      const data = await run(DeleteConversationItemDocument, {
        conversationId: params.conversation_id,
        id: params.item_id,
      });
      return data.deleteConversationItem.openai;
    },
  },
];
