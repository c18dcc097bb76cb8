/** GraphQL `UploadSession`/`UploadPart` results as OpenAI's `upload` and `upload.part`. */
import { type FileData, serializeFile } from './file-serializers.js';

export interface UploadData {
  id: string;
  createdAt: number;
  expiresAt: number;
  filename: string;
  purpose: string;
  bytes: number;
  status: string;
  file: FileData | null;
}

export interface UploadPartData {
  id: string;
  createdAt: number;
  uploadId: string;
}

export function serializeUpload(upload: UploadData): Record<string, unknown> {
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
