/** GraphQL `UploadSession`/`UploadPart` results as OpenAI's `upload` and `upload.part`. */
import { serializeFile } from './file-serializers.js';
import type { AddUploadPartMutation, UploadFieldsFragment } from './generated/operations.js';

type UploadPartData = AddUploadPartMutation['addUploadPart'];

export function serializeUpload(upload: UploadFieldsFragment): Record<string, unknown> {
  return {
    id: upload.id,
    object: 'upload',
    bytes: upload.bytes,
    created_at: upload.createdAt,
    expires_at: upload.expiresAt,
    filename: upload.filename,
    purpose: upload.purpose,
    status: upload.status,
    file: upload.file === null ? null : serializeFile(upload.file),
  };
}

export function serializeUploadPart(part: UploadPartData): Record<string, unknown> {
  return {
    id: part.id,
    object: 'upload.part',
    created_at: part.createdAt,
    upload_id: part.uploadId,
  };
}
