import { completeUpload } from '../../services/uploads/upload-complete.js';
import { addUploadPart } from '../../services/uploads/upload-parts.js';
import { UPLOAD_STATUSES, uploadStatus } from '../../services/uploads/upload-status.js';
import { cancelUpload, createUpload, getUpload } from '../../services/uploads/uploads.js';
import { builder } from '../builder.js';
import { FileExpirationInput } from './file.js';

const UploadStatusEnum = builder.enumType('UploadStatus', {
  description: 'OpenAI’s Upload statuses, exactly.',
  values: UPLOAD_STATUSES,
});

builder.prismaNode('Upload', {
  name: 'UploadSession',
  description:
    'A multi-part upload (OpenAI’s Upload, REST `/v1/uploads`): parts are added one by one (or in parallel), then `completeUpload` concatenates them into a File. (`Upload` is the name of the file scalar.)',
  id: { field: 'id', description: '`upload_…`' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, projectId: ctx.actor.projectId }),
  fields: (t) => ({
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    expiresAt: t.expose('expiresAt', {
      type: 'UnixTime',
      description: 'One hour after creation: parts and completion are refused from then on.',
    }),
    filename: t.exposeString('filename', { description: 'The name the File will have.' }),
    purpose: t.exposeString('purpose', { description: 'assistants, batch, fine-tune or vision.' }),
    bytes: t.int({
      description: 'The declared size: the completed parts must add up to it.',
      resolve: (upload) => Number(upload.bytes),
    }),
    mimeType: t.exposeString('mimeType', { description: 'As declared on creation.' }),
    status: t.field({
      type: UploadStatusEnum,
      description:
        'A pending upload past expiresAt reads as `expired` at once; the worker’s sweep then deletes its parts.',
      resolve: (upload) => uploadStatus(upload),
    }),
    file: t.relation('file', {
      nullable: true,
      description: 'The File made by `completeUpload` (null before, or once it is deleted).',
    }),
  }),
});

builder.prismaObject('UploadPart', {
  description: 'A chunk of an upload’s bytes; `completeUpload` puts parts in order.',
  fields: (t) => ({
    id: t.exposeID('id', { description: '`part_…`' }),
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    uploadId: t.exposeID('uploadId'),
    bytes: t.int({ description: 'Size in bytes.', resolve: (part) => Number(part.bytes) }),
  }),
});

const CreateUploadInput = builder.inputType('CreateUploadInput', {
  fields: (t) => ({
    filename: t.string({ required: true }),
    purpose: t.string({ required: true, description: 'assistants, batch, fine-tune or vision.' }),
    bytes: t.float({
      required: true,
      description:
        'The file’s size in bytes, at most FILE_MAX_BYTES. (A Float only so that any size reaches the size check: GraphQL’s Int stops at 2^31 - 1.)',
    }),
    mimeType: t.string({ required: true }),
    expiresAfter: t.field({
      type: FileExpirationInput,
      description: 'For the File made on completion (batch files default to 30 days).',
    }),
  }),
});

const CompleteUploadInput = builder.inputType('CompleteUploadInput', {
  fields: (t) => ({
    partIds: t.stringList({
      required: true,
      description: 'Every part to use, once each, in file order; they must add up to `bytes`.',
    }),
    md5: t.string({ description: 'The file’s MD5 (hex), checked against the concatenated parts.' }),
  }),
});

builder.queryFields((t) => ({
  upload: t.prismaField({
    type: 'Upload',
    nullable: true,
    description:
      'One multi-part upload by id; null, with a NOT_FOUND error at its path, when there is none in this project (its siblings still resolve).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => getUpload(ctx, String(args.id), query),
  }),
}));

builder.mutationFields((t) => ({
  createUpload: t.prismaField({
    type: 'Upload',
    description: 'Starts a multi-part upload (pending for one hour).',
    args: { input: t.arg({ type: CreateUploadInput, required: true }) },
    resolve: (query, _root, args, ctx) => createUpload(ctx, args.input, query),
  }),
  addUploadPart: t.prismaField({
    type: 'UploadPart',
    description:
      'Adds a part (multipart request, streamed to storage). Over UPLOAD_PART_MAX_BYTES (Default: 64 MB): PAYLOAD_TOO_LARGE (413), nothing kept.',
    args: {
      uploadId: t.arg.id({ required: true }),
      data: t.arg({ type: 'Upload', required: true }),
    },
    resolve: (query, _root, args, ctx) =>
      addUploadPart(ctx, { uploadId: String(args.uploadId), content: args.data.stream() }, query),
  }),
  completeUpload: t.prismaField({
    type: 'Upload',
    description:
      'Concatenates the parts into a File (`file`), once. A wrong total or md5 is refused and the upload stays pending.',
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: CompleteUploadInput, required: true }),
    },
    resolve: (query, _root, args, ctx) => completeUpload(ctx, String(args.id), args.input, query),
  }),
  cancelUpload: t.prismaField({
    type: 'Upload',
    description: 'Cancels a pending upload and deletes its parts.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => cancelUpload(ctx, String(args.id), query),
  }),
}));
