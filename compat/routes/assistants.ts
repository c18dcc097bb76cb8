import { assistantInput } from '../inputs.js';
import { pageVariables } from '../list.js';
import type { Route } from '../router.js';
import {
  type AssistantData,
  type PageData,
  serializeAssistant,
  serializeDeleted,
  serializeList,
} from '../serializers.js';

export const assistantRoutes: Route[] = [
  {
    method: 'POST',
    path: '/assistants',
    beta: true,
    async handle({ body, run }) {
      const data = await run<{ createAssistant: AssistantData }>('CreateAssistant', {
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
      const data = await run<{ assistants: PageData<AssistantData> }>(
        'ListAssistants',
        pageVariables(query),
      );
      return serializeList(data.assistants, serializeAssistant);
    },
  },
  {
    method: 'GET',
    path: '/assistants/:assistant_id',
    beta: true,
    async handle({ params, run }) {
      const data = await run<{ assistant: AssistantData }>('GetAssistant', {
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
      const data = await run<{ updateAssistant: AssistantData }>('UpdateAssistant', {
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
      const data = await run<{ deleteAssistant: { id: string; deleted: boolean } }>(
        'DeleteAssistant',
        { id: params.assistant_id },
      );
      return serializeDeleted('assistant.deleted', data.deleteAssistant);
    },
  },
];
