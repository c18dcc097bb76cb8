import { type FormEvent, useEffect, useId, useState } from 'react';
import { useQuery, useRequest } from '../api/api-context.js';
import {
  type ConsoleFileFieldsFragment,
  CreateVectorStoreFileDocument,
  DeleteVectorStoreDocument,
  DeleteVectorStoreFileDocument,
  SearchVectorStoreDocument,
  type SearchVectorStoreQuery,
  VectorStoreDocument,
} from '../generated/graphql.js';
import { UploadZone } from './UploadZone.js';

const POLL_MS = 1000;

/** One store: its files and their indexing status (refreshed while any is in progress), search. */
export function VectorStorePanel(props: {
  vectorStoreId: string;
  files: ConsoleFileFieldsFragment[];
  onChanged(): Promise<void>;
  onDeleted(): Promise<void>;
}) {
  const request = useRequest();
  const store = useQuery(VectorStoreDocument, { id: props.vectorStoreId });
  const id = useId();
  const [fileToAdd, setFileToAdd] = useState('');
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<SearchVectorStoreQuery['searchVectorStore'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const vectorStore = store.data?.vectorStore;
  const indexing =
    vectorStore?.status === 'in_progress' ||
    vectorStore?.files.nodes.some((file) => file.status === 'in_progress');

  useEffect(() => {
    if (!indexing) {
      return undefined;
    }
    // No subscription covers ingestion; a short poll while something is being indexed.
    const timer = setInterval(() => void store.reload(), POLL_MS);
    return () => clearInterval(timer);
  }, [indexing, store.reload]);

  const attach = async (fileId: string) => {
    try {
      await request(CreateVectorStoreFileDocument, { vectorStoreId: props.vectorStoreId, fileId });
      await store.reload();
      await props.onChanged();
      setError(null);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };

  const search = async (event: FormEvent) => {
    event.preventDefault();
    if (!query.trim()) {
      return;
    }
    try {
      const { searchVectorStore } = await request(SearchVectorStoreDocument, {
        vectorStoreId: props.vectorStoreId,
        query,
      });
      setResults(searchVectorStore);
      setError(null);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };

  if (!vectorStore) {
    return store.error ? <p role="alert">{store.error.message}</p> : <p>Loading…</p>;
  }
  const counts = vectorStore.fileCounts;
  return (
    <section className="card" aria-label={`Vector store ${vectorStore.name}`}>
      <h2>{vectorStore.name || vectorStore.id}</h2>
      <p role="status">
        Status: {vectorStore.status} · {counts.completed} of {counts.total} files indexed
        {counts.inProgress > 0 && `, ${counts.inProgress} in progress`}
        {counts.failed > 0 && `, ${counts.failed} failed`}
      </p>
      <UploadZone
        label="Drop files here to add them to this store"
        onUploaded={(file) => attach(file.id)}
      />
      <div className="row">
        <label htmlFor={`${id}-add`}>File to add</label>
        <select
          id={`${id}-add`}
          value={fileToAdd}
          onChange={(event) => setFileToAdd(event.target.value)}
        >
          <option value="">Choose a file</option>
          {props.files.map((file) => (
            <option key={file.id} value={file.id}>
              {file.filename}
            </option>
          ))}
        </select>
        <button type="button" disabled={!fileToAdd} onClick={() => attach(fileToAdd)}>
          Add to store
        </button>
      </div>
      <table aria-label="Files in the store">
        <thead>
          <tr>
            <th>File</th>
            <th>Status</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {vectorStore.files.nodes.map((file) => (
            <tr key={file.id}>
              <td>{file.file?.filename ?? file.id}</td>
              <td>
                {file.status}
                {file.lastError && ` (${file.lastError.message})`}
              </td>
              <td>
                <button
                  type="button"
                  onClick={async () => {
                    await request(DeleteVectorStoreFileDocument, {
                      vectorStoreId: props.vectorStoreId,
                      fileId: file.id,
                    });
                    await store.reload();
                  }}
                >
                  Remove {file.file?.filename ?? file.id}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="row" onSubmit={search} aria-label="Search the store">
        <label htmlFor={`${id}-search`}>Search</label>
        <input
          id={`${id}-search`}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <button type="submit">Search</button>
      </form>
      {results && (
        <ol aria-label="Search results">
          {results.data.length === 0 && <li>No passages found.</li>}
          {results.data.map((result, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: ranked positions
            <li key={index}>
              <strong>{result.filename}</strong> · score {result.score.toFixed(3)}
              <blockquote>{result.content.map((part) => part.text).join('\n')}</blockquote>
            </li>
          ))}
        </ol>
      )}
      {error && <p role="alert">{error}</p>}
      <button
        type="button"
        onClick={async () => {
          await request(DeleteVectorStoreDocument, { id: props.vectorStoreId });
          await props.onDeleted();
        }}
      >
        Delete vector store {vectorStore.name}
      </button>
    </section>
  );
}
