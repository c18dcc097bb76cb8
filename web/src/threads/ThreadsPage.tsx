import { useId, useState } from 'react';
import { useQuery, useRequest } from '../api/api-context.js';
import { AssistantsDocument, CreateThreadDocument, ThreadsDocument } from '../generated/graphql.js';
import { Link } from '../Link.js';
import { navigate } from '../router.js';
import { ThreadView } from './ThreadView.js';

const PICKED_ASSISTANT = 'assistants-console.assistant';

function metadataPairs(metadata: unknown): [string, string][] {
  if (!metadata || typeof metadata !== 'object') {
    return [];
  }
  return Object.entries(metadata as Record<string, unknown>).map(([key, value]) => [
    key,
    String(value),
  ]);
}

/** The threads list (newest first) beside the open thread. */
export function ThreadsPage(props: { threadId: string | null }) {
  const request = useRequest();
  const threads = useQuery(ThreadsDocument, { after: null });
  const assistants = useQuery(AssistantsDocument, {});
  const pickerId = useId();
  const [assistantId, setAssistantId] = useState(
    () => sessionStorage.getItem(PICKED_ASSISTANT) ?? '',
  );
  const [error, setError] = useState<string | null>(null);
  const pick = (id: string) => {
    setAssistantId(id);
    sessionStorage.setItem(PICKED_ASSISTANT, id);
  };
  const available = assistants.data?.assistants.nodes ?? [];
  const picked = available.some((assistant) => assistant.id === assistantId)
    ? assistantId
    : (available[0]?.id ?? '');
  const newThread = async () => {
    try {
      const { createThread } = await request(CreateThreadDocument, { input: {} });
      await threads.reload();
      navigate(`/threads/${createThread.id}`);
      setError(null);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };
  return (
    <div className="layout">
      <aside>
        <h1 className="visually-hidden">Threads</h1>
        <label htmlFor={pickerId}>Assistant</label>
        <select id={pickerId} value={picked} onChange={(event) => pick(event.target.value)}>
          {available.length === 0 && <option value="">No assistants yet</option>}
          {available.map((assistant) => (
            <option key={assistant.id} value={assistant.id}>
              {assistant.name ?? assistant.id} ({assistant.model})
            </option>
          ))}
        </select>
        <div className="row" style={{ marginTop: '0.6rem' }}>
          <button type="button" className="primary" onClick={newThread}>
            New thread
          </button>
        </div>
        {error && <p role="alert">{error}</p>}
        <h2>Threads</h2>
        {threads.error && <p role="alert">{threads.error.message}</p>}
        <nav aria-label="Threads">
          <ul className="list">
            {threads.data?.threads.nodes.map((thread) => (
              <li key={thread.id}>
                <Link
                  href={`/threads/${thread.id}`}
                  aria-current={thread.id === props.threadId ? 'page' : undefined}
                >
                  {thread.id}
                </Link>
                <div className="muted">
                  {new Date(thread.createdAt * 1000).toLocaleString()}
                  {metadataPairs(thread.metadata).map(([key, value]) => (
                    <span key={key} className="chip">
                      {key}: {value}
                    </span>
                  ))}
                </div>
              </li>
            ))}
          </ul>
          {threads.data?.threads.nodes.length === 0 && <p className="muted">No threads yet.</p>}
        </nav>
      </aside>
      <main>
        {props.threadId ? (
          <ThreadView key={props.threadId} threadId={props.threadId} assistantId={picked} />
        ) : (
          <p>Pick a thread, or choose an assistant and start a new thread.</p>
        )}
      </main>
    </div>
  );
}
