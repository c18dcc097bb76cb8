import { MAX_FILE_PAGE_SIZE } from '../../src/services/common/page-sizes.js';
import { RestError } from '../errors.js';
import { serializeFile } from '../file-serializers.js';
import {
  DeleteFileDocument,
  GetFileDocument,
  ListFilesDocument,
  UploadFileDocument,
} from '../generated/operations.js';
import { pageVariables } from '../list.js';
import {
  type MultipartUpload,
  missingParameter,
  readMultipartUpload,
  rejectUnknownFields,
  requireFile,
} from '../multipart-upload.js';
import { BinaryResponse, type Route } from '../router.js';
import { serializeDeleted, serializeList } from '../serializers.js';

const EXPIRES_ANCHOR = 'expires_after[anchor]';
const EXPIRES_SECONDS = 'expires_after[seconds]';
const KNOWN_FIELDS = new Set(['purpose', EXPIRES_ANCHOR, EXPIRES_SECONDS]);

/** `CreateFileRequest` multipart fields as `UploadFile` variables. */
function uploadVariables(upload: MultipartUpload) {
  rejectUnknownFields(upload, KNOWN_FIELDS);
  const file = requireFile(upload, 'file');
  const purpose = upload.fields.get('purpose');
  if (!purpose) {
    throw missingParameter('purpose');
  }
  const anchor = upload.fields.get(EXPIRES_ANCHOR);
  const secondsText = upload.fields.get(EXPIRES_SECONDS);
  let expiresAfter: { anchor?: string; seconds?: number } | undefined;
  if (anchor !== undefined || secondsText !== undefined) {
    let seconds: number | undefined;
    if (secondsText !== undefined) {
      seconds = Number(secondsText);
      if (!/^\s*-?\d+\s*$/.test(secondsText) || !Number.isSafeInteger(seconds)) {
        throw new RestError(
          400,
          `Invalid 'expires_after.seconds': expected an integer, got '${secondsText}'.`,
          { param: 'expires_after.seconds', code: 'invalid_type' },
        );
      }
    }
    // A missing half is reported by the operation (`Missing required parameter`).
    expiresAfter = { anchor, seconds };
  }
  return { file, purpose, expiresAfter };
}

/** `/files`: uploads, metadata and downloads (no OpenAI-Beta header on these paths). */
export function fileRoutes(options: { maxUploadBytes: number; spoolDir: string }): Route[] {
  return [
    {
      method: 'POST',
      path: '/files',
      beta: false,
      rawBody: true,
      async handle({ req, run }) {
        const upload = await readMultipartUpload(req, {
          fileField: 'file',
          maxBytes: options.maxUploadBytes,
          spoolDir: options.spoolDir,
        });
        try {
          const data = await run(UploadFileDocument, uploadVariables(upload));
          return serializeFile(data.uploadFile);
        } finally {
          await upload.cleanup();
        }
      },
    },
    {
      method: 'GET',
      path: '/files',
      beta: false,
      async handle({ query, run }) {
        const purpose = query.purpose;
        if (purpose !== undefined && typeof purpose !== 'string') {
          throw new RestError(400, "Invalid 'purpose': expected a single value.", {
            param: 'purpose',
          });
        }
        // `GET /files` has no `before` (OpenAI ignores it, so do we): pages walk forward.
        const { before: _before, ...page } = pageVariables(
          { ...query, before: undefined },
          { max: MAX_FILE_PAGE_SIZE, default: MAX_FILE_PAGE_SIZE },
        );
        const data = await run(ListFilesDocument, {
          ...page,
          purpose: purpose || undefined,
        });
        return serializeList(data.files, serializeFile, page);
      },
    },
    {
      method: 'GET',
      path: '/files/:file_id',
      beta: false,
      async handle({ params, run }) {
        const data = await run(GetFileDocument, { id: params.file_id });
        return serializeFile(data.file);
      },
    },
    {
      method: 'DELETE',
      path: '/files/:file_id',
      beta: false,
      async handle({ params, run }) {
        const data = await run(DeleteFileDocument, {
          id: params.file_id,
        });
        // OpenAI's one exception: a deleted file is `object: 'file'`, not `file.deleted`.
        return serializeDeleted('file', data.deleteFile);
      },
    },
    {
      method: 'GET',
      path: '/files/:file_id/content',
      beta: false,
      async handle({ params, fileContent }) {
        const content = await fileContent(params.file_id ?? '');
        return new BinaryResponse(content.body, content.headers);
      },
    },
  ];
}
