import { ID_PREFIXES } from '../ids.js';

/** Node types by id prefix: every object whose OpenAI id is unique on its own. */
const NODE_TYPES: [prefix: string, typename: string][] = [
  [ID_PREFIXES.assistant, 'Assistant'],
  [ID_PREFIXES.thread, 'Thread'],
  [ID_PREFIXES.message, 'Message'],
  [ID_PREFIXES.run, 'Run'],
  [ID_PREFIXES.step, 'RunStep'],
  [ID_PREFIXES.file, 'File'],
  [ID_PREFIXES.fileBatch, 'VectorStoreFileBatch'],
  [ID_PREFIXES.vectorStore, 'VectorStore'],
  [ID_PREFIXES.upload, 'UploadSession'],
  [ID_PREFIXES.project, 'Project'],
  [ID_PREFIXES.apiKey, 'ApiKey'],
  [ID_PREFIXES.serviceAccount, 'ServiceAccount'],
  [ID_PREFIXES.response, 'Response'],
  [ID_PREFIXES.conversation, 'Conversation'],
  [ID_PREFIXES.container, 'Container'],
];

/** The GraphQL type of the object an id names, by its prefix; null for no known prefix. */
export function nodeTypeOfId(id: string): string | null {
  return NODE_TYPES.find(([prefix]) => id.startsWith(prefix))?.[1] ?? null;
}
