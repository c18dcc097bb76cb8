import { camelize } from '../case.js';
import {
  CreateThreadDocument,
  DeleteThreadDocument,
  GetThreadDocument,
  UpdateThreadDocument,
} from '../generated/operations.js';
import { threadInput } from '../inputs.js';
import type { Route } from '../router.js';
import { serializeDeleted, serializeThread } from '../serializers.js';

export const threadRoutes: Route[] = [
  {
    method: 'POST',
    path: '/threads',
    beta: true,
    async handle({ body, run }) {
      const data = await run(CreateThreadDocument, {
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
      const data = await run(GetThreadDocument, { id: params.thread_id });
      return serializeThread(data.thread);
    },
  },
  {
    method: 'POST',
    path: '/threads/:thread_id',
    beta: true,
    async handle({ params, body, run }) {
      const data = await run(UpdateThreadDocument, {
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
      const data = await run(DeleteThreadDocument, {
        id: params.thread_id,
      });
      return serializeDeleted('thread.deleted', data.deleteThread);
    },
  },
];
