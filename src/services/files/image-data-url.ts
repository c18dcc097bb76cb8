import type { ServiceContext } from '../../context.js';
import { NotFoundError } from '../../errors.js';
import { openFileContent } from './files.js';

/**
 * The bytes of an image file as a data URL, or null when the file is gone. Upstreams cannot
 * fetch our files: images travel inline, as OpenAI-compatible servers (vLLM, Ollama, llama.cpp)
 * accept them.
 */
export async function imageDataUrl(ctx: ServiceContext, fileId: string): Promise<string | null> {
  const opened = await openFileContent(ctx, fileId).catch((error: unknown) => {
    if (error instanceof NotFoundError) {
      return null;
    }
    throw error;
  });
  if (!opened) {
    return null;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of opened.stream) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  }
  return `data:${opened.file.mimeType};base64,${Buffer.concat(chunks).toString('base64')}`;
}
