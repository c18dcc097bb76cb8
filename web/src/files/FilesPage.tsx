import { type FormEvent, useId, useState } from 'react';
import { useQuery, useRequest } from '../api/api-context.js';
import {
  CreateVectorStoreDocument,
  DeleteFileDocument,
  FilesDocument,
  VectorStoresDocument,
} from '../generated/graphql.js';
import { DownloadButton } from './DownloadButton.js';
import { UploadZone } from './UploadZone.js';
import { VectorStorePanel } from './VectorStorePanel.js';

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** Files and vector stores. */
export function FilesPage() {
  const request = useRequest();
  const files = useQuery(FilesDocument, {});
  const stores = useQuery(VectorStoresDocument, {});
  const nameId = useId();
  const [storeName, setStoreName] = useState('');
  const [selected, setSelected] = useState<string | null>(null);

  const createStore = async (event: FormEvent) => {
    event.preventDefault();
    const { createVectorStore } = await request(CreateVectorStoreDocument, {
      input: { name: storeName || null },
    });
    setStoreName('');
    await stores.reload();
    setSelected(createVectorStore.id);
  };

  return (
    <div className="layout">
      <aside>
        <h1>Vector stores</h1>
        <form onSubmit={createStore}>
          <label htmlFor={nameId}>Vector store name</label>
          <input
            id={nameId}
            value={storeName}
            onChange={(event) => setStoreName(event.target.value)}
          />
          <button type="submit">Create vector store</button>
        </form>
        <ul className="list" aria-label="Vector stores">
          {stores.data?.vectorStores.nodes.map((store) => (
            <li key={store.id}>
              <button
                type="button"
                className="link-button"
                aria-pressed={selected === store.id}
                onClick={() => setSelected(store.id)}
              >
                {store.name || store.id}
              </button>
              <div className="muted">
                {store.status} · {store.fileCounts.completed}/{store.fileCounts.total} files
              </div>
            </li>
          ))}
        </ul>
      </aside>
      <main>
        {selected && (
          <VectorStorePanel
            key={selected}
            vectorStoreId={selected}
            files={files.data?.files.nodes ?? []}
            onChanged={async () => {
              await Promise.all([stores.reload(), files.reload()]);
            }}
            onDeleted={async () => {
              setSelected(null);
              await stores.reload();
            }}
          />
        )}
        <h2>Files</h2>
        <UploadZone label="Drop files here to upload them" onUploaded={() => files.reload()} />
        {files.error && <p role="alert">{files.error.message}</p>}
        <table aria-label="Files">
          <thead>
            <tr>
              <th>Name</th>
              <th>Size</th>
              <th>Purpose</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {files.data?.files.nodes.map((file) => (
              <tr key={file.id}>
                <td>{file.filename}</td>
                <td>{size(file.bytes)}</td>
                <td>{file.purpose}</td>
                <td>
                  <DownloadButton contentUrl={file.contentUrl} filename={file.filename} />{' '}
                  <button
                    type="button"
                    onClick={async () => {
                      await request(DeleteFileDocument, { id: file.id });
                      await files.reload();
                    }}
                  >
                    Delete {file.filename}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </main>
    </div>
  );
}
