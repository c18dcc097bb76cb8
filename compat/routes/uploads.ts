import { camelize } from '../case.js';
import { readMultipartUpload, rejectUnknownFields, requireFile } from '../multipart-upload.js';
import type { Route } from '../router.js';
import {
  serializeUpload,
  serializeUploadPart,
  type UploadData,
  type UploadPartData,
} from '../upload-serializers.js';

const NO_FIELDS: ReadonlySet<string> = new Set();

/** `/uploads`: multi-part uploads that end in a File (no OpenAI-Beta header on these paths). */
export function uploadRoutes(options: { maxPartBytes: number }): Route[] {
  return [
    {
      method: 'POST',
      path: '/uploads',
      beta: false,
      async handle({ body, run }) {
        const data = await run<{ createUpload: UploadData }>('CreateUpload', {
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
        });
        try {
          rejectUnknownFields(upload, NO_FIELDS);
          const data = await run<{ addUploadPart: UploadPartData }>('AddUploadPart', {
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
        const data = await run<{ completeUpload: UploadData }>('CompleteUpload', {
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
        const data = await run<{ cancelUpload: UploadData }>('CancelUpload', {
          id: params.upload_id,
        });
        return serializeUpload(data.cancelUpload);
      },
    },
  ];
}
