/** GraphQL `File` results as OpenAI's `file` object (schema `OpenAIFile`). */
import type { FileFieldsFragment } from './generated/operations.js';

export function serializeFile(file: FileFieldsFragment): Record<string, unknown> {
  return {
    id: file.id,
    object: 'file',
    bytes: file.bytes,
    created_at: file.createdAt,
    // Optional and not nullable in the spec: omitted for files that never expire.
    ...(file.expiresAt === null ? {} : { expires_at: file.expiresAt }),
    filename: file.filename,
    purpose: file.purpose,
    // Deprecated but required; files are usable as soon as they are stored.
    status: 'processed',
  };
}
