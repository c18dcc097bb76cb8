import { useEffect, useState } from 'react';
import { useApiKey } from '../api/api-context.js';
import { fetchFileBlob } from './file-bytes.js';

/** An image File shown inline (code_interpreter figures): its bytes need the key. */
export function FileImage(props: { contentUrl: string; alt: string }) {
  const apiKey = useApiKey();
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let objectUrl: string | null = null;
    let live = true;
    fetchFileBlob(apiKey, props.contentUrl)
      .then((blob) => {
        objectUrl = URL.createObjectURL(blob);
        if (live) {
          setUrl(objectUrl);
        }
      })
      .catch(() => setUrl(null));
    return () => {
      live = false;
      if (objectUrl) {
        URL.revokeObjectURL(objectUrl);
      }
    };
  }, [apiKey, props.contentUrl]);
  return url ? (
    <img className="inline-image" src={url} alt={props.alt} />
  ) : (
    <span>{props.alt}</span>
  );
}
