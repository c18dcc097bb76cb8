import { GraphQLError } from 'graphql';
import { deleteFile, getFile, listFiles, uploadFile } from '../../services/files/files.js';
import { builder } from '../builder.js';
import { isFileUpload } from '../file-upload.js';
import { connectionOf, connectionType, DeletionResult, orderArg, toPageInput } from './common.js';

builder.scalarType('Upload', {
  description:
    'A file sent as a part of a multipart request (GraphQL multipart request spec). Streamed to storage as it arrives; one file per request.',
  serialize: () => {
    throw new GraphQLError('Upload is an input-only scalar');
  },
  parseValue: (value) => {
    if (!isFileUpload(value)) {
      throw new GraphQLError('Upload must be a file part of a multipart request');
    }
    return value;
  },
  parseLiteral: () => {
    throw new GraphQLError('Upload cannot be written inline; send the file as a multipart part');
  },
});

export const FileRef = builder.prismaNode('File', {
  description: 'An uploaded (or server-made) file: its bytes are downloaded from `contentUrl`.',
  id: { field: 'id', description: '`file-…`' },
  nullable: true,
  // Expired files are gone for every read (the sweep deletes them soon after).
  findUnique: (id, ctx) => ({
    id,
    projectId: ctx.actor.projectId,
    OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }],
  }),
  fields: (t) => ({
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    filename: t.exposeString('filename'),
    purpose: t.exposeString('purpose', {
      description:
        'assistants, batch, fine-tune, vision, user_data, evals (uploads); assistants_output (code_interpreter outputs).',
    }),
    bytes: t.int({ description: 'Size in bytes.', resolve: (file) => Number(file.bytes) }),
    mimeType: t.exposeString('mimeType', {
      description: 'From the file name’s extension, else the type the client declared.',
    }),
    expiresAt: t.expose('expiresAt', {
      type: 'UnixTime',
      nullable: true,
      description: 'When the file is deleted (batch files: 30 days; else as uploaded).',
    }),
    contentUrl: t.string({
      description:
        'Where to GET the raw bytes, relative to this server, with the same `Authorization` header.',
      resolve: (file) => `/v1/files/${encodeURIComponent(file.id)}/content`,
    }),
  }),
});

export const FileConnection = connectionType('File', FileRef);

export const FileExpirationInput = builder.inputType('FileExpirationInput', {
  description: 'Delete the file this long after `anchor` (OpenAI’s `expires_after`).',
  fields: (t) => ({
    anchor: t.string({ required: true, description: 'Only `created_at`.' }),
    seconds: t.int({ required: true, description: '3600 (1 hour) to 2592000 (30 days).' }),
  }),
});

builder.queryFields((t) => ({
  file: t.prismaField({
    type: 'File',
    nullable: true,
    description:
      'One file by id; null, with a NOT_FOUND error at its path, when there is none in this project (its siblings still resolve).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => getFile(ctx, String(args.id), query),
  }),
  files: t.connection(
    {
      type: FileRef,
      description:
        'Files, newest first by default; pages of up to 10,000 (Default: 10,000, as OpenAI).',
      args: {
        purpose: t.arg.string({ description: 'Only files with this purpose.' }),
        ...orderArg,
      },
      resolve: async (_root, args, ctx) =>
        connectionOf(
          await listFiles(ctx, { purpose: args.purpose ?? undefined, ...toPageInput(args) }),
          (file) => file.id,
        ),
    },
    FileConnection,
  ),
}));

builder.mutationFields((t) => ({
  uploadFile: t.prismaField({
    type: 'File',
    description:
      'Uploads a file (multipart request). Over FILE_MAX_BYTES: PAYLOAD_TOO_LARGE (413), nothing kept.',
    args: {
      file: t.arg({ type: 'Upload', required: true }),
      purpose: t.arg.string({
        required: true,
        description: 'assistants, batch, fine-tune, vision, user_data or evals.',
      }),
      expiresAfter: t.arg({ type: FileExpirationInput }),
    },
    resolve: (query, _root, args, ctx) =>
      uploadFile(
        ctx,
        {
          filename: args.file.name,
          purpose: args.purpose,
          mimeType: args.file.type,
          expiresAfter: args.expiresAfter ?? undefined,
          content: args.file.stream(),
        },
        query,
      ),
  }),
  deleteFile: t.field({
    type: DeletionResult,
    description: 'Deletes the file, its bytes and its vector-store attachments.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => deleteFile(ctx, String(args.id)),
  }),
}));
