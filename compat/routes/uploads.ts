import { camelize } from '../case.js';
import {
  AddUploadPartDocument,
  CancelUploadDocument,
  CompleteUploadDocument,
  CreateUploadDocument,
} from '../generated/operations.js';
import { readMultipartUpload, rejectUnknownFields, requireFile } from '../multipart-upload.js';
import type { Route } from '../router.js';
import { serializeUpload, serializeUploadPart } from '../upload-serializers.js';

const NO_FIELDS: ReadonlySet<string> = new Set();

/** `/uploads`: multi-part uploads that end in a File (no OpenAI-Beta header on these paths). */
export function uploadRoutes(options: { maxPartBytes: number; spoolDir: string }): Route[] {
  return [
    {
      method: 'POST',
      path: '/uploads',
      beta: false,
      async handle({ body, run }) {
        const data = await run(CreateUploadDocument, {
          input: camelize(body),
        });
        return serializeUpload(data.createUpload);
      },
    },
    {
      method: 'POST',
      path: '/uploads/:upload_id/parts',
      beta: false,
      rawBody: true,
      async handle({ params, req, run }) {
        const upload = await readMultipartUpload(req, {
          fileField: 'data',
          maxBytes: options.maxPartBytes,
          spoolDir: options.spoolDir,
        });
        try {
          rejectUnknownFields(upload, NO_FIELDS);
          const data = await run(AddUploadPartDocument, {
            uploadId: params.upload_id,
            data: requireFile(upload, 'data'),
          });
          return serializeUploadPart(data.addUploadPart);
        } finally {
          await upload.cleanup();
        }
      },
    },
    {
      method: 'POST',
      path: '/uploads/:upload_id/complete',
      beta: false,
      async handle({ params, body, run }) {
        const data = await run(CompleteUploadDocument, {
          id: params.upload_id,
          input: camelize(body),
        });
        return serializeUpload(data.completeUpload);
      },
    },
    {
      method: 'POST',
      path: '/uploads/:upload_id/cancel',
      beta: false,
      async handle({ params, run }) {
        const data = await run(CancelUploadDocument, {
          id: params.upload_id,
        });
        return serializeUpload(data.cancelUpload);
      },
    },
  ];
}
