import { camelize } from '../case.js';
import { RestError } from '../errors.js';
import {
  CreateMessageDocument,
  DeleteMessageDocument,
  GetMessageDocument,
  ListMessagesDocument,
  UpdateMessageDocument,
} from '../generated/operations.js';
import { messageInput } from '../inputs.js';
import { pageVariables } from '../list.js';
import type { Route } from '../router.js';
import { serializeDeleted, serializeList, serializeMessage } from '../serializers.js';

export const messageRoutes: Route[] = [
  {
    method: 'POST',
    path: '/threads/:thread_id/messages',
    beta: true,
    async handle({ params, body, run }) {
      const data = await run(CreateMessageDocument, {
        threadId: params.thread_id,
        input: messageInput(body),
      });
      return serializeMessage(data.createMessage);
    },
  },
  {
    method: 'GET',
    path: '/threads/:thread_id/messages',
    beta: true,
    async handle({ params, query, run }) {
      const runId = query.run_id;
      if (runId !== undefined && typeof runId !== 'string') {
        throw new RestError(400, "Invalid 'run_id': expected a single value.", { param: 'run_id' });
      }
      const page = pageVariables(query);
      const data = await run(ListMessagesDocument, {
        threadId: params.thread_id,
        runId: runId || undefined,
        ...page,
      });
      return serializeList(data.messages, serializeMessage, page);
    },
  },
  {
    method: 'GET',
    path: '/threads/:thread_id/messages/:message_id',
    beta: true,
    async handle({ params, run }) {
      const data = await run(GetMessageDocument, {
        threadId: params.thread_id,
        id: params.message_id,
      });
      return serializeMessage(data.message);
    },
  },
  {
    method: 'POST',
    path: '/threads/:thread_id/messages/:message_id',
    beta: true,
    async handle({ params, body, run }) {
      const data = await run(UpdateMessageDocument, {
        threadId: params.thread_id,
        id: params.message_id,
        input: camelize(body),
      });
      return serializeMessage(data.updateMessage);
    },
  },
  {
    method: 'DELETE',
    path: '/threads/:thread_id/messages/:message_id',
    beta: true,
    async handle({ params, run }) {
      const data = await run(DeleteMessageDocument, {
        threadId: params.thread_id,
        id: params.message_id,
      });
      return serializeDeleted('thread.message.deleted', data.deleteMessage);
    },
  },
];
