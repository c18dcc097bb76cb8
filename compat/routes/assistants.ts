import {
  CreateAssistantDocument,
  DeleteAssistantDocument,
  GetAssistantDocument,
  ListAssistantsDocument,
  UpdateAssistantDocument,
} from '../generated/operations.js';
import { assistantInput } from '../inputs.js';
import { pageVariables } from '../list.js';
import type { Route } from '../router.js';
import { serializeAssistant, serializeDeleted, serializeList } from '../serializers.js';

export const assistantRoutes: Route[] = [
  {
    method: 'POST',
    path: '/assistants',
    beta: true,
    async handle({ body, run }) {
      const data = await run(CreateAssistantDocument, {
        input: assistantInput(body),
      });
      return serializeAssistant(data.createAssistant);
    },
  },
  {
    method: 'GET',
    path: '/assistants',
    beta: true,
    async handle({ query, run }) {
      const page = pageVariables(query);
      const data = await run(ListAssistantsDocument, page);
      return serializeList(data.assistants, serializeAssistant, page);
    },
  },
  {
    method: 'GET',
    path: '/assistants/:assistant_id',
    beta: true,
    async handle({ params, run }) {
      const data = await run(GetAssistantDocument, {
        id: params.assistant_id,
      });
      return serializeAssistant(data.assistant);
    },
  },
  {
    method: 'POST',
    path: '/assistants/:assistant_id',
    beta: true,
    async handle({ params, body, run }) {
      const data = await run(UpdateAssistantDocument, {
        id: params.assistant_id,
        input: assistantInput(body),
      });
      return serializeAssistant(data.updateAssistant);
    },
  },
  {
    method: 'DELETE',
    path: '/assistants/:assistant_id',
    beta: true,
    async handle({ params, run }) {
      const data = await run(DeleteAssistantDocument, { id: params.assistant_id });
      return serializeDeleted('assistant.deleted', data.deleteAssistant);
    },
  },
];
