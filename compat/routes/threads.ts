import { camelize } from '../case.js';
import { threadInput } from '../inputs.js';
import type { Route } from '../router.js';
import { serializeDeleted, serializeThread, type ThreadData } from '../serializers.js';

export const threadRoutes: Route[] = [
  {
    method: 'POST',
    path: '/threads',
    beta: true,
    async handle({ body, run }) {
      const data = await run<{ createThread: ThreadData }>('CreateThread', {
        input: threadInput(body),
      });
      return serializeThread(data.createThread);
    },
  },
  {
    method: 'GET',
    path: '/threads/:thread_id',
    beta: true,
    async handle({ params, run }) {
      const data = await run<{ thread: ThreadData }>('GetThread', { id: params.thread_id });
      return serializeThread(data.thread);
    },
  },
  {
    method: 'POST',
    path: '/threads/:thread_id',
    beta: true,
    async handle({ params, body, run }) {
      const data = await run<{ updateThread: ThreadData }>('UpdateThread', {
        id: params.thread_id,
        input: camelize(body),
      });
      return serializeThread(data.updateThread);
    },
  },
  {
    method: 'DELETE',
    path: '/threads/:thread_id',
    beta: true,
    async handle({ params, run }) {
      const data = await run<{ deleteThread: { id: string; deleted: boolean } }>('DeleteThread', {
        id: params.thread_id,
      });
      return serializeDeleted('thread.deleted', data.deleteThread);
    },
  },
];
