import type { Readable } from 'node:stream';
import type { ServiceContext } from '../context.js';
import { mapAppError } from '../graphql/errors.js';
import { openContainerFileContent } from '../services/containers/container-files.js';
import { openFileContent } from '../services/files/files.js';

/** A file's bytes as an HTTP response: the body stream and its headers. */
export interface FileContent {
  body: Readable;
  headers: Record<string, string>;
}

/** Reads a file's bytes as the caller (tenancy applies); what `GET /v1/files/{id}/content` serves. */
export type FileContentReader = (context: ServiceContext, fileId: string) => Promise<FileContent>;

/** RFC 6266 / 5987: an ASCII fallback plus the exact UTF-8 name. */
function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * Binary content does not fit GraphQL, so downloads bypass it: the REST shim (which may not
 * import services) is handed this reader by app.ts and streams what it returns. Service errors
 * become GraphQL errors, the form the shim already renders as OpenAI's envelope and status.
 */
export const readFileContent: FileContentReader = async (context, fileId) => {
  try {
    const { file, stream } = await openFileContent(context, fileId);
    return {
      body: stream,
      headers: {
        'content-type': file.mimeType,
        'content-length': String(file.bytes),
        'content-disposition': contentDisposition(file.filename),
      },
    };
  } catch (error) {
    throw mapAppError(error);
  }
};

/** Reads a container file's bytes as the caller; what `GET /v1/containers/{id}/files/{file_id}/content` serves. */
export type ContainerFileContentReader = (
  context: ServiceContext,
  containerId: string,
  fileId: string,
) => Promise<FileContent>;

export const readContainerFileContent: ContainerFileContentReader = async (
  context,
  containerId,
  fileId,
) => {
  try {
    const { file, stream } = await openContainerFileContent(context, containerId, fileId);
    return {
      body: stream,
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(file.bytes),
        'content-disposition': contentDisposition(file.path.split('/').at(-1) ?? 'file'),
      },
    };
  } catch (error) {
    throw mapAppError(error);
  }
};
