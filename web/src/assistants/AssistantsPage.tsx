import { useState } from 'react';
import { useQuery, useRequest } from '../api/api-context.js';
import {
  type ConsoleAssistantFieldsFragment as Assistant,
  AssistantsDocument,
  CreateAssistantDocument,
  CreateVectorStoreDocument,
  DeleteAssistantDocument,
  FilesDocument,
  UpdateAssistantDocument,
  VectorStoresDocument,
} from '../generated/graphql.js';
import { type AssistantDraft, AssistantForm, NEW_STORE } from './AssistantForm.js';

/** Assistants: the list, and a form to create or edit one. */
export function AssistantsPage() {
  const request = useRequest();
  const assistants = useQuery(AssistantsDocument, {});
  const stores = useQuery(VectorStoresDocument, {});
  const files = useQuery(FilesDocument, {});
  const [editing, setEditing] = useState<Assistant | 'new' | null>(null);
  const [error, setError] = useState<string | null>(null);

  const save = async (draft: AssistantDraft) => {
    let storeId = draft.vectorStoreId;
    if (storeId === NEW_STORE) {
      const { createVectorStore } = await request(CreateVectorStoreDocument, {
        input: { name: `${draft.input.name ?? 'Assistant'} files` },
      });
      storeId = createVectorStore.id;
      await stores.reload();
    }
    const input = {
      ...draft.input,
      toolResources: {
        ...draft.input.toolResources,
        fileSearch: { vectorStoreIds: storeId ? [storeId] : [] },
      },
    };
    if (editing && editing !== 'new') {
      await request(UpdateAssistantDocument, { id: editing.id, input });
    } else {
      await request(CreateAssistantDocument, { input });
    }
    setEditing(null);
    await assistants.reload();
  };

  const remove = async (assistant: Assistant) => {
    try {
      await request(DeleteAssistantDocument, { id: assistant.id });
      if (editing !== 'new' && editing?.id === assistant.id) {
        setEditing(null);
      }
      await assistants.reload();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };

  return (
    <div className="layout">
      <aside>
        <h1>Assistants</h1>
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          New assistant
        </button>
        {assistants.error && <p role="alert">{assistants.error.message}</p>}
        {error && <p role="alert">{error}</p>}
        <ul className="list" aria-label="Assistants">
          {assistants.data?.assistants.nodes.map((assistant) => (
            <li key={assistant.id}>
              <strong>{assistant.name ?? '(unnamed)'}</strong>{' '}
              <span className="muted">
                {assistant.model} ·{' '}
                {assistant.tools.map((tool) => tool.function?.name ?? tool.type).join(', ') ||
                  'no tools'}
              </span>
              <div className="row">
                <button type="button" onClick={() => setEditing(assistant)}>
                  Edit {assistant.name ?? assistant.id}
                </button>
                <button type="button" onClick={() => remove(assistant)}>
                  Delete {assistant.name ?? assistant.id}
                </button>
              </div>
            </li>
          ))}
        </ul>
        {assistants.data?.assistants.nodes.length === 0 && (
          <p className="muted">No assistants yet.</p>
        )}
      </aside>
      <main>
        {editing ? (
          <AssistantForm
            key={editing === 'new' ? 'new' : editing.id}
            assistant={editing === 'new' ? null : editing}
            vectorStores={stores.data?.vectorStores.nodes ?? []}
            files={files.data?.files.nodes ?? []}
            onSave={save}
            onCancel={() => setEditing(null)}
          />
        ) : (
          <p>Pick an assistant to edit, or create one.</p>
        )}
      </main>
    </div>
  );
}
