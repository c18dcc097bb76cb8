import { parseJsonColumn } from '../../services/common/json-column.js';
import {
  type Annotation,
  type Attachment,
  type MessageContent,
  type MessageIncompleteDetails,
  storedAttachmentsSchema,
  storedIncompleteDetailsSchema,
  storedMessageContentSchema,
} from '../../services/threads/message-content.js';
import {
  createMessage,
  deleteMessage,
  getMessage,
  listMessages,
  updateMessage,
} from '../../services/threads/messages.js';
import { builder } from '../builder.js';
import {
  connectionOf,
  connectionType,
  DeletionResult,
  FileReferenceRef,
  orderArg,
  toPageInput,
} from './common.js';

export const MessageRole = builder.enumType('MessageRole', {
  values: ['user', 'assistant'] as const,
});

export const MessageStatus = builder.enumType('MessageStatus', {
  values: ['in_progress', 'incomplete', 'completed'] as const,
});

const ContentType = builder.enumType('MessageContentType', {
  values: ['text', 'image_file', 'image_url', 'refusal'] as const,
});

const ContentInputType = builder.enumType('MessageContentInputType', {
  values: ['text', 'image_file', 'image_url'] as const,
});

const ImageDetail = builder.enumType('ImageDetail', { values: ['auto', 'low', 'high'] as const });

export const FileCitationRef = builder
  .objectRef<NonNullable<Annotation['fileCitation']>>('FileCitation')
  .implement({
    fields: (t) => ({
      fileId: t.exposeString('fileId'),
      quote: t.string({ nullable: true, resolve: (citation) => citation.quote ?? null }),
    }),
  });

const AnnotationRef = builder.objectRef<Annotation>('Annotation').implement({
  description: 'A citation (file_search) or a generated-file link (code_interpreter) in text.',
  fields: (t) => ({
    type: t.exposeString('type', { description: '`file_citation` or `file_path`.' }),
    text: t.exposeString('text', { description: 'The exact substring of the text it replaces.' }),
    startIndex: t.exposeInt('startIndex'),
    endIndex: t.exposeInt('endIndex'),
    fileCitation: t.field({
      type: FileCitationRef,
      nullable: true,
      description: 'For file_citation: the cited file.',
      resolve: (annotation) => annotation.fileCitation ?? null,
    }),
    filePath: t.field({
      type: FileReferenceRef,
      nullable: true,
      description: 'For file_path: the file the code generated.',
      resolve: (annotation) => annotation.filePath ?? null,
    }),
  }),
});

type TextContent = Extract<MessageContent, { type: 'text' }>['text'];
type ImageFile = Extract<MessageContent, { type: 'image_file' }>['imageFile'];
type ImageUrl = Extract<MessageContent, { type: 'image_url' }>['imageUrl'];

const TextContentRef = builder.objectRef<TextContent>('TextContent').implement({
  fields: (t) => ({
    value: t.exposeString('value'),
    annotations: t.field({ type: [AnnotationRef], resolve: (text) => text.annotations }),
  }),
});

export const ImageFileRef = builder.objectRef<ImageFile>('ImageFile').implement({
  fields: (t) => ({
    fileId: t.exposeString('fileId'),
    detail: t.field({ type: ImageDetail, resolve: (image) => image.detail }),
  }),
});

const ImageUrlRef = builder.objectRef<ImageUrl>('ImageUrl').implement({
  fields: (t) => ({
    url: t.exposeString('url'),
    detail: t.field({ type: ImageDetail, resolve: (image) => image.detail }),
  }),
});

const MessageContentRef = builder.objectRef<MessageContent>('MessageContent').implement({
  description: 'One part of a message. Only the member matching `type` is set.',
  fields: (t) => ({
    type: t.field({ type: ContentType, resolve: (part) => part.type }),
    text: t.field({
      type: TextContentRef,
      nullable: true,
      resolve: (part) => (part.type === 'text' ? part.text : null),
    }),
    imageFile: t.field({
      type: ImageFileRef,
      nullable: true,
      resolve: (part) => (part.type === 'image_file' ? part.imageFile : null),
    }),
    imageUrl: t.field({
      type: ImageUrlRef,
      nullable: true,
      resolve: (part) => (part.type === 'image_url' ? part.imageUrl : null),
    }),
    refusal: t.string({
      nullable: true,
      resolve: (part) => (part.type === 'refusal' ? part.refusal : null),
    }),
  }),
});

const AttachmentToolRef = builder
  .objectRef<Attachment['tools'][number]>('AttachmentTool')
  .implement({
    fields: (t) => ({
      type: t.exposeString('type', { description: '`code_interpreter` or `file_search`.' }),
    }),
  });

export const AttachmentRef = builder.objectRef<Attachment>('Attachment').implement({
  description: 'A file attached to a message and the tools it is for.',
  fields: (t) => ({
    fileId: t.exposeString('fileId'),
    tools: t.field({ type: [AttachmentToolRef], resolve: (attachment) => attachment.tools }),
  }),
});

const IncompleteDetails = builder
  .objectRef<MessageIncompleteDetails>('MessageIncompleteDetails')
  .implement({
    fields: (t) => ({
      reason: t.exposeString('reason', {
        description: 'content_filter, max_tokens, run_cancelled, run_expired or run_failed.',
      }),
    }),
  });

const inMessages = (id: string, column: string) => ({ table: 'messages', id, column });

export const Message = builder.prismaNode('Message', {
  description: 'A message in a thread.',
  id: { field: 'id', description: '`msg_…`' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, projectId: ctx.actor.projectId }),
  fields: (t) => ({
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    threadId: t.exposeString('threadId'),
    status: t.field({
      type: MessageStatus,
      resolve: (message) => message.status as 'in_progress' | 'incomplete' | 'completed',
    }),
    incompleteDetails: t.field({
      type: IncompleteDetails,
      nullable: true,
      resolve: (message) =>
        parseJsonColumn(
          storedIncompleteDetailsSchema.nullable(),
          message.incompleteDetails,
          inMessages(message.id, 'incompleteDetails'),
        ),
    }),
    completedAt: t.expose('completedAt', { type: 'UnixTime', nullable: true }),
    incompleteAt: t.expose('incompleteAt', { type: 'UnixTime', nullable: true }),
    role: t.field({
      type: MessageRole,
      resolve: (message) => message.role as 'user' | 'assistant',
    }),
    content: t.field({
      type: [MessageContentRef],
      resolve: (message) =>
        parseJsonColumn(
          storedMessageContentSchema,
          message.content,
          inMessages(message.id, 'content'),
        ),
    }),
    assistantId: t.exposeString('assistantId', {
      nullable: true,
      description: 'Set on messages written by a run.',
    }),
    runId: t.exposeString('runId', { nullable: true, description: 'The run that wrote it.' }),
    attachments: t.field({
      type: [AttachmentRef],
      nullable: true,
      resolve: (message) =>
        parseJsonColumn(
          storedAttachmentsSchema.nullable(),
          message.attachments,
          inMessages(message.id, 'attachments'),
        ),
    }),
    metadata: t.expose('metadata', { type: 'JSON', description: 'Up to 16 string pairs.' }),
  }),
});

export const MessageConnection = connectionType('Message', Message);

const MessageContentInput = builder.inputType('MessageContentInput', {
  description: 'A content part: set `text`, `imageFile` or `imageUrl` to match `type`.',
  fields: (t) => ({
    type: t.field({ type: ContentInputType, required: true }),
    text: t.string(),
    imageFile: t.field({
      type: builder.inputType('ImageFileInput', {
        fields: (f) => ({
          fileId: f.string({ required: true }),
          detail: f.field({ type: ImageDetail }),
        }),
      }),
    }),
    imageUrl: t.field({
      type: builder.inputType('ImageUrlInput', {
        fields: (f) => ({
          url: f.string({ required: true }),
          detail: f.field({ type: ImageDetail }),
        }),
      }),
    }),
  }),
});

const AttachmentToolType = builder.enumType('AttachmentToolType', {
  values: ['code_interpreter', 'file_search'] as const,
});

const AttachmentToolInput = builder.inputType('AttachmentToolInput', {
  fields: (t) => ({ type: t.field({ type: AttachmentToolType, required: true }) }),
});

const AttachmentInput = builder.inputType('AttachmentInput', {
  fields: (t) => ({
    fileId: t.string({ required: true }),
    tools: t.field({ type: [AttachmentToolInput], required: true }),
  }),
});

export const CreateMessageInput = builder.inputType('CreateMessageInput', {
  fields: (t) => ({
    role: t.field({ type: MessageRole, required: true }),
    content: t.field({
      type: [MessageContentInput],
      required: true,
      description: 'At least one part.',
    }),
    attachments: t.field({ type: [AttachmentInput] }),
    metadata: t.field({ type: 'JSON' }),
  }),
});

const UpdateMessageInput = builder.inputType('UpdateMessageInput', {
  fields: (t) => ({ metadata: t.field({ type: 'JSON' }) }),
});

builder.queryFields((t) => ({
  message: t.prismaField({
    type: 'Message',
    nullable: true,
    description:
      'One message of a thread; null, with a NOT_FOUND error at its path, when there is none in this project (its siblings still resolve).',
    args: { threadId: t.arg.id({ required: true }), id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      getMessage(ctx, String(args.threadId), String(args.id), query),
  }),
  messages: t.connection(
    {
      type: Message,
      description: 'Messages of a thread, newest first by default.',
      args: {
        threadId: t.arg.id({ required: true }),
        runId: t.arg.string({ description: 'Only messages written by this run.' }),
        ...orderArg,
      },
      resolve: async (_root, args, ctx) =>
        connectionOf(
          await listMessages(ctx, String(args.threadId), {
            ...toPageInput(args),
            runId: args.runId,
          }),
          (message) => message.id,
        ),
    },
    MessageConnection,
  ),
}));

builder.mutationFields((t) => ({
  createMessage: t.prismaField({
    type: 'Message',
    args: {
      threadId: t.arg.id({ required: true }),
      input: t.arg({ type: CreateMessageInput, required: true }),
    },
    resolve: (query, _root, args, ctx) =>
      createMessage(ctx, String(args.threadId), args.input, query),
  }),
  updateMessage: t.prismaField({
    type: 'Message',
    args: {
      threadId: t.arg.id({ required: true }),
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateMessageInput, required: true }),
    },
    resolve: (query, _root, args, ctx) =>
      updateMessage(ctx, String(args.threadId), String(args.id), args.input, query),
  }),
  deleteMessage: t.field({
    type: DeletionResult,
    args: { threadId: t.arg.id({ required: true }), id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => deleteMessage(ctx, String(args.threadId), String(args.id)),
  }),
}));
