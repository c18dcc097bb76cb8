import { type ReactNode, useState } from 'react';
import { useApiKey } from '../api/api-context.js';
import { fetchFileBlob } from './file-bytes.js';

/** Downloads a file: fetched with the key, then saved from a blob URL. */
export function DownloadButton(props: {
  contentUrl: string;
  filename: string;
  children?: ReactNode;
}) {
  const apiKey = useApiKey();
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    try {
      const blob = await fetchFileBlob(apiKey, props.contentUrl);
      const url = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = props.filename;
      anchor.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setError(null);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };
  return (
    <>
      <button type="button" className="link-button" onClick={download}>
        {props.children ?? `Download ${props.filename}`}
      </button>
      {error && <span role="alert">{error}</span>}
    </>
  );
}
