/** A file's bytes from its `contentUrl`, with the key in the header (never in the URL). */
export async function fetchFileBlob(apiKey: string, contentUrl: string): Promise<Blob> {
  const response = await fetch(contentUrl, { headers: { authorization: `Bearer ${apiKey}` } });
  if (!response.ok) {
    throw new Error(`Download failed (HTTP ${response.status})`);
  }
  return response.blob();
}
