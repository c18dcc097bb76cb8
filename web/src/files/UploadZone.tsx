import { type DragEvent, useId, useState } from 'react';
import { useApiKey } from '../api/api-context.js';
import { uploadRequest } from '../api/upload-request.js';
import { type ConsoleFileFieldsFragment, UploadFileDocument } from '../generated/graphql.js';

interface Upload {
  key: number;
  name: string;
  progress: number;
  state: 'uploading' | 'done' | 'failed';
  error?: string;
}

let nextKey = 1;

/** Drop files (or choose them) to upload each as a multipart GraphQL request, with progress. */
export function UploadZone(props: {
  label: string;
  onUploaded(file: ConsoleFileFieldsFragment): Promise<void> | void;
}) {
  const apiKey = useApiKey();
  const inputId = useId();
  const [over, setOver] = useState(false);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const change = (key: number, patch: Partial<Upload>) =>
    setUploads((all) =>
      all.map((upload) => (upload.key === key ? { ...upload, ...patch } : upload)),
    );

  const start = (files: File[]) => {
    for (const file of files) {
      const key = nextKey++;
      setUploads((all) => [...all, { key, name: file.name, progress: 0, state: 'uploading' }]);
      uploadRequest(apiKey, UploadFileDocument, { purpose: 'assistants' }, file, (progress) =>
        change(key, { progress }),
      )
        .then(async ({ uploadFile }) => {
          change(key, { progress: 1, state: 'done' });
          await props.onUploaded(uploadFile);
        })
        .catch((error: unknown) =>
          change(key, {
            state: 'failed',
            error: error instanceof Error ? error.message : String(error),
          }),
        );
    }
  };

  const drop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    start([...event.dataTransfer.files]);
  };

  return (
    <div>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the drop target; the file input inside is the keyboard way */}
      <div
        className={`dropzone${over ? ' over' : ''}`}
        data-dropzone=""
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
      >
        <p>{props.label}</p>
        <label htmlFor={inputId} className="inline">
          Choose files
        </label>{' '}
        <input
          id={inputId}
          type="file"
          multiple
          onChange={(event) => {
            start([...(event.target.files ?? [])]);
            event.target.value = '';
          }}
        />
      </div>
      {uploads.length > 0 && (
        <ul className="list" aria-label="Uploads">
          {uploads.map((upload) => (
            <li key={upload.key}>
              {upload.name}{' '}
              <progress aria-label={`Uploading ${upload.name}`} value={upload.progress} max={1} />{' '}
              {upload.state === 'done' && 'Uploaded'}
              {upload.state === 'failed' && <span role="alert">Failed: {upload.error}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
