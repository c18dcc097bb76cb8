import { z } from 'zod';
import type { ServiceContext } from '../../context.js';
import { InvalidRequestError } from '../../errors.js';
import { idSchema, missingParameter } from '../common/validation.js';

const detailSchema = z.enum(['auto', 'low', 'high']);

const imageFileSchema = z.object({ fileId: idSchema, detail: detailSchema.nullish() });
/**
 * The upstream model (or whatever it runs on) fetches the URL: only web URLs, as OpenAI's
 * "external URL of the image", never `file:` or other schemes that reach the model host's files
 * or services. Data URLs are not accepted: the spec names none, and images go as `image_file`.
 */
const imageUrlSchema = z.object({
  url: z.url({
    protocol: /^https?$/,
    error: "Expected a URL starting with 'http://' or 'https://'.",
  }),
  detail: detailSchema.nullish(),
});

/** Request-side content part; text is a plain string here. */
export type MessageContentInput =
  | { type: 'text'; text: string }
  | { type: 'image_file'; imageFile: z.output<typeof imageFileSchema> }
  | { type: 'image_url'; imageUrl: z.output<typeof imageUrlSchema> };

/** Flat in (`{ type, text?, imageFile?, imageUrl? }`), precise out. */
export const messageContentInputSchema = z
  .object({
    type: z.enum(['text', 'image_file', 'image_url']),
    text: z.string().nullish(),
    imageFile: imageFileSchema.nullish(),
    imageUrl: imageUrlSchema.nullish(),
  })
  .transform((part, ctx): MessageContentInput => {
    const missing = (path: string) => missingParameter(ctx, path);
    switch (part.type) {
      case 'text':
        return typeof part.text === 'string' ? { type: 'text', text: part.text } : missing('text');
      case 'image_file':
        return part.imageFile
          ? { type: 'image_file', imageFile: part.imageFile }
          : missing('imageFile');
      case 'image_url':
        return part.imageUrl ? { type: 'image_url', imageUrl: part.imageUrl } : missing('imageUrl');
    }
  });

export interface Annotation {
  type: 'file_citation' | 'file_path';
  text: string;
  startIndex: number;
  endIndex: number;
  fileCitation?: { fileId: string; quote?: string };
  filePath?: { fileId: string };
}

/** Stored and returned content part: text carries a value and annotations. */
export type MessageContent =
  | { type: 'text'; text: { value: string; annotations: Annotation[] } }
  | { type: 'image_file'; imageFile: { fileId: string; detail: 'auto' | 'low' | 'high' } }
  | { type: 'image_url'; imageUrl: { url: string; detail: 'auto' | 'low' | 'high' } }
  | { type: 'refusal'; refusal: string };

/** An annotation as stored in a text part (and sent in deltas). An object, so it can be extended. */
export const storedAnnotationSchema = z.object({
  type: z.enum(['file_citation', 'file_path']),
  text: z.string(),
  startIndex: z.number(),
  endIndex: z.number(),
  fileCitation: z.object({ fileId: z.string(), quote: z.string().optional() }).optional(),
  filePath: z.object({ fileId: z.string() }).optional(),
}) satisfies z.ZodType<Annotation>;

const storedDetailSchema = z.enum(['auto', 'low', 'high']);

/** `messages.content` as stored: what `toStoredContent` and the run engine write. */
export const storedMessageContentSchema: z.ZodType<MessageContent[]> = z.array(
  z.discriminatedUnion('type', [
    z.object({
      type: z.literal('text'),
      text: z.object({ value: z.string(), annotations: z.array(storedAnnotationSchema) }),
    }),
    z.object({
      type: z.literal('image_file'),
      imageFile: z.object({ fileId: z.string(), detail: storedDetailSchema }),
    }),
    z.object({
      type: z.literal('image_url'),
      imageUrl: z.object({ url: z.string(), detail: storedDetailSchema }),
    }),
    z.object({ type: z.literal('refusal'), refusal: z.string() }),
  ]),
);

/** `messages.incomplete_details`: set, with its reason, once a message ends incomplete. */
export const storedIncompleteDetailsSchema = z.object({ reason: z.string() });

export type MessageIncompleteDetails = z.infer<typeof storedIncompleteDetailsSchema>;

export const attachmentSchema = z.object({
  fileId: idSchema,
  tools: z.array(z.object({ type: z.enum(['code_interpreter', 'file_search']) })),
});

export type Attachment = z.infer<typeof attachmentSchema>;

/** `messages.attachments` as stored; checked for shape only, the ids were checked on write. */
export const storedAttachmentsSchema: z.ZodType<Attachment[]> = z.array(
  z.object({
    fileId: z.string(),
    tools: z.array(z.object({ type: z.enum(['code_interpreter', 'file_search']) })),
  }),
);

export function toStoredContent(parts: MessageContentInput[]): MessageContent[] {
  return parts.map((part): MessageContent => {
    if (part.type === 'text') {
      return { type: 'text', text: { value: part.text, annotations: [] } };
    }
    if (part.type === 'image_file') {
      return {
        type: 'image_file',
        imageFile: { fileId: part.imageFile.fileId, detail: part.imageFile.detail ?? 'auto' },
      };
    }
    return {
      type: 'image_url',
      imageUrl: { url: part.imageUrl.url, detail: part.imageUrl.detail ?? 'auto' },
    };
  });
}

/** Every file a message refers to (image parts, attachments) must exist in the project. */
export async function assertMessageFilesExist(
  ctx: ServiceContext,
  content: MessageContentInput[],
  attachments: Attachment[] | null | undefined,
  param: string,
): Promise<void> {
  // `param` is '' for a message posted on its own: the path then starts at its own fields.
  const path = (...parts: (string | number)[]) =>
    [param, ...parts].filter((p) => p !== '').join('.');
  const referenced = [
    ...content.flatMap((part, index) =>
      part.type === 'image_file'
        ? [{ id: part.imageFile.fileId, at: path('content', index, 'imageFile', 'fileId') }]
        : [],
    ),
    ...(attachments ?? []).map((attachment, index) => ({
      id: attachment.fileId,
      at: path('attachments', index, 'fileId'),
    })),
  ];
  if (referenced.length === 0) {
    return;
  }
  const found = await ctx.db.file.findMany({
    where: { projectId: ctx.actor.projectId, id: { in: referenced.map((ref) => ref.id) } },
    select: { id: true },
  });
  const known = new Set(found.map((file) => file.id));
  const missing = referenced.find((ref) => !known.has(ref.id));
  if (missing) {
    throw new InvalidRequestError(
      `Invalid '${missing.at}': no file found with id '${missing.id}'.`,
      {
        param: missing.at,
      },
    );
  }
}
