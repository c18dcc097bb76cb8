import { camelize } from '../case.js';
import { RestError } from '../errors.js';
import { messageInput } from '../inputs.js';
import { pageVariables } from '../list.js';
import type { Route } from '../router.js';
import {
  type MessageData,
  type PageData,
  serializeDeleted,
  serializeList,
  serializeMessage,
} from '../serializers.js';

export const messageRoutes: Route[] = [
  {
    method: 'POST',
    path: '/threads/:thread_id/messages',
    beta: true,
    async handle({ params, body, run }) {
      const data = await run<{ createMessage: MessageData }>('CreateMessage', {
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
      const data = await run<{ messages: PageData<MessageData> }>('ListMessages', {
        threadId: params.thread_id,
        runId: runId || undefined,
        ...pageVariables(query),
      });
      return serializeList(data.messages, serializeMessage);
    },
  },
  {
    method: 'GET',
    path: '/threads/:thread_id/messages/:message_id',
    beta: true,
    async handle({ params, run }) {
      const data = await run<{ message: MessageData }>('GetMessage', {
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
      const data = await run<{ updateMessage: MessageData }>('UpdateMessage', {
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
      const data = await run<{ deleteMessage: { id: string; deleted: boolean } }>('DeleteMessage', {
        threadId: params.thread_id,
        id: params.message_id,
      });
      return serializeDeleted('thread.message.deleted', data.deleteMessage);
    },
  },
];
