import { z } from 'zod';
import { newId } from '../../ids.js';
import { idSchema, jsonObjectSchema, metadataSchema, parseInput } from '../common/validation.js';
import { attributeFilterSchema } from '../vector-stores/search/attribute-filter.js';

/**
 * What `POST /v1/responses` may carry, validated once here. Items are OpenAI's own data model
 * (they go back out as they came in, with ids and statuses), so they keep OpenAI's field names.
 */

const inputTextPart = z.strictObject({ type: z.literal('input_text'), text: z.string() });
const outputTextPart = z.object({
  type: z.literal('output_text'),
  text: z.string(),
  annotations: z.array(z.unknown()).optional(),
});
const inputImagePart = z
  .strictObject({
    type: z.literal('input_image'),
    image_url: z.url({ protocol: /^(https?|data)$/ }).nullish(),
    file_id: idSchema.nullish(),
    detail: z.enum(['low', 'high', 'auto']).default('auto'),
  })
  .refine((part) => part.image_url != null, {
    message: 'input_image parts need an image_url (file_id images are not supported yet)',
    path: ['image_url'],
  });

const messagePart = z.discriminatedUnion('type', [inputTextPart, outputTextPart, inputImagePart]);

const messageItem = z.object({
  type: z.literal('message').optional(),
  id: z.string().optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(messagePart).min(1)]),
  status: z.enum(['in_progress', 'completed', 'incomplete']).optional(),
});

const functionCallItem = z.object({
  type: z.literal('function_call'),
  id: z.string().optional(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  status: z.enum(['in_progress', 'completed', 'incomplete']).optional(),
});

const functionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  id: z.string().optional(),
  call_id: z.string().min(1),
  output: z.string(),
});

/** A compaction item from `POST /responses/compact` (ours carries the summary as plain text). */
const compactionItem = z.object({
  type: z.literal('compaction'),
  id: z.string().nullish(),
  encrypted_content: z.string().max(20_971_520),
});

/** Parses `value` with `schema`, reporting its issues where they are (not as a failed union). */
function within<S extends z.ZodType>(
  schema: S,
  value: unknown,
  ctx: z.RefinementCtx,
): z.output<S> | typeof z.NEVER {
  const parsed = schema.safeParse(value);
  if (parsed.success) {
    return parsed.data;
  }
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ ...issue, code: 'custom', message: issue.message });
  }
  return z.NEVER;
}

/** Items without `type` are messages (OpenAI's EasyInputMessage). */
export const inputItemSchema = z.unknown().transform((value, ctx) => {
  const type =
    typeof value === 'object' && value !== null && 'type' in value ? value.type : 'message';
  const schema =
    type === 'message'
      ? messageItem
      : type === 'function_call'
        ? functionCallItem
        : type === 'function_call_output'
          ? functionCallOutputItem
          : type === 'compaction'
            ? compactionItem
            : null;
  if (!schema) {
    ctx.addIssue({
      code: 'custom',
      path: ['type'],
      message: `Invalid value: '${String(type)}'. Supported values are: 'message', 'function_call', 'function_call_output' and 'compaction'`,
    });
    return z.NEVER;
  }
  return within<z.ZodType<InputItem>>(schema, value, ctx);
});

/** A string (one user message) or a list of items. */
const inputSchema = z
  .unknown()
  .transform((value, ctx): string | InputItem[] =>
    typeof value === 'string' ? value : within(z.array(inputItemSchema), value, ctx),
  );

export type InputItem = z.output<
  | typeof messageItem
  | typeof functionCallItem
  | typeof functionCallOutputItem
  | typeof compactionItem
>;

export const functionToolSchema = z.object({
  type: z.literal('function'),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, {
    message: 'Expected a name of at most 64 letters, digits, underscores and dashes',
  }),
  description: z.string().nullish(),
  parameters: jsonObjectSchema.nullish(),
  strict: z.boolean().nullish(),
});

export type FunctionTool = z.output<typeof functionToolSchema>;

/** `container`: a container id, or one made for the response (`auto`, with copies of files). */
export const codeInterpreterToolSchema = z.object({
  type: z.literal('code_interpreter'),
  container: z.union([
    idSchema,
    z.object({
      type: z.literal('auto'),
      file_ids: z.array(idSchema).max(50).optional(),
      memory_limit: z.enum(['1g', '4g', '16g', '64g']).nullish(),
    }),
  ]),
});

export type CodeInterpreterTool = z.output<typeof codeInterpreterToolSchema>;

/** OpenAI's default for file_search's `max_num_results` (gpt-4* and later). */
export const DEFAULT_FILE_SEARCH_RESULTS = 20;

/**
 * `{ type: 'file_search', vector_store_ids, … }`, stored (and shown back) with OpenAI's
 * defaults filled in, as OpenAI's response objects show the tool.
 */
export const fileSearchToolSchema = z
  .object({
    type: z.literal('file_search'),
    vector_store_ids: z.array(idSchema).min(1).max(10),
    max_num_results: z.number().int().min(1).max(50).nullish(),
    ranking_options: z
      .object({
        ranker: z.enum(['auto', 'default-2024-11-15']).nullish(),
        score_threshold: z.number().min(0).max(1).nullish(),
        hybrid_search: z
          .object({ embedding_weight: z.number(), text_weight: z.number() })
          .nullish(),
      })
      .nullish(),
    filters: attributeFilterSchema.nullish(),
  })
  .transform((tool) => ({
    type: tool.type,
    vector_store_ids: tool.vector_store_ids,
    max_num_results: tool.max_num_results ?? DEFAULT_FILE_SEARCH_RESULTS,
    ranking_options: {
      ranker: tool.ranking_options?.ranker ?? 'auto',
      score_threshold: tool.ranking_options?.score_threshold ?? 0,
      ...(tool.ranking_options?.hybrid_search
        ? { hybrid_search: tool.ranking_options.hybrid_search }
        : {}),
    },
    filters: tool.filters ?? null,
  }));

export type FileSearchTool = z.output<typeof fileSearchToolSchema>;

const TOOL_SCHEMAS = {
  function: functionToolSchema,
  file_search: fileSearchToolSchema,
  code_interpreter: codeInterpreterToolSchema,
} as const;

/** The tools a response may offer; each type is checked by its own schema. */
export const responseToolSchema = z.unknown().transform((value, ctx) => {
  const type = typeof value === 'object' && value !== null && 'type' in value ? value.type : null;
  const schema =
    typeof type === 'string' && Object.hasOwn(TOOL_SCHEMAS, type)
      ? TOOL_SCHEMAS[type as keyof typeof TOOL_SCHEMAS]
      : null;
  if (!schema) {
    ctx.addIssue({
      code: 'custom',
      path: ['type'],
      message: `Invalid value: '${String(type)}'. Supported values are: 'function', 'file_search', and 'code_interpreter'`,
    });
    return z.NEVER;
  }
  return within<z.ZodType<ResponseTool>>(schema, value, ctx);
});

export type ResponseTool = FunctionTool | FileSearchTool | CodeInterpreterTool;

/** OpenAI's `include[]` values, in the spec's order. */
export const RESPONSE_INCLUDES = [
  'file_search_call.results',
  'web_search_call.results',
  'web_search_call.action.sources',
  'message.input_image.image_url',
  'computer_call_output.output.image_url',
  'code_interpreter_call.outputs',
  'reasoning.encrypted_content',
  'message.output_text.logprobs',
] as const;

export type ResponseInclude = (typeof RESPONSE_INCLUDES)[number];

const quotedList = (values: readonly string[]) =>
  `${values
    .slice(0, -1)
    .map((value) => `'${value}'`)
    .join(', ')}, and '${values.at(-1)}'`;

const includeSchema = z.array(
  z.string().refine((value) => (RESPONSE_INCLUDES as readonly string[]).includes(value), {
    error: (issue) =>
      `Invalid value: '${String(issue.input)}'. Supported values are: ${quotedList(RESPONSE_INCLUDES)}`,
  }),
);

export const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.strictObject({ type: z.literal('function'), name: z.string().min(1) }),
  // Hosted tools we run ourselves; forcing one names the function it is offered upstream as.
  z.strictObject({ type: z.enum(['file_search', 'code_interpreter']) }),
]);

export type ResponseToolChoice = z.output<typeof toolChoiceSchema>;

const textFormatSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({ type: z.literal('json_object') }),
  z.strictObject({
    type: z.literal('json_schema'),
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
    schema: jsonObjectSchema,
    description: z.string().optional(),
    strict: z.boolean().nullish(),
  }),
]);

export const responseTextSchema = z.object({
  format: textFormatSchema.default({ type: 'text' }),
  verbosity: z.enum(['low', 'medium', 'high']).nullish(),
});

export type ResponseText = z.output<typeof responseTextSchema>;

const modelSchema = z.string().min(1).max(256);

/**
 * The create body's fields: camelCase, OpenAI-shaped JSON inside `input`, `tools`, `text`.
 * `model` may be left out for the project's default model (`requestModel`).
 */
const responseFieldsSchema = z.object({
  model: modelSchema.nullish(),
  input: inputSchema.optional(),
  instructions: z.string().max(256_000).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  topP: z.number().min(0).max(1).nullish(),
  maxOutputTokens: z.number().int().min(16).nullish(),
  metadata: metadataSchema.nullish(),
  store: z.boolean().nullish(),
  background: z.boolean().nullish(),
  previousResponseId: idSchema.nullish(),
  conversation: z.union([idSchema, z.object({ id: idSchema })]).nullish(),
  tools: z.array(responseToolSchema).max(128).nullish(),
  include: includeSchema.nullish(),
  truncation: z.enum(['auto', 'disabled']).nullish(),
  toolChoice: toolChoiceSchema.nullish(),
  parallelToolCalls: z.boolean().nullish(),
  text: responseTextSchema.nullish(),
});

function exclusiveHistory(
  input: { previousResponseId?: string | null; conversation?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (input.previousResponseId && input.conversation) {
    ctx.addIssue({
      code: 'custom',
      path: ['conversation'],
      message:
        "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'",
      params: { openaiCode: 'mutually_exclusive_parameters' },
    });
  }
}

/** An `include` query parameter (of item reads), validated as a create's. */
export function parseInclude(include: unknown): ResponseInclude[] {
  const parsed = parseInput(z.object({ include: includeSchema.nullish() }), { include });
  return (parsed.include ?? []) as ResponseInclude[];
}

/** The service's input for a new response. */
export const createResponseSchema = responseFieldsSchema.superRefine((input, ctx) => {
  exclusiveHistory(input, ctx);
  if (input.background && input.store === false) {
    ctx.addIssue({
      code: 'custom',
      path: ['background'],
      message: 'Background responses need store=true',
    });
  }
  offeredChoice(input, ctx);
});

/** A forcing `tool_choice` must name a tool of `tools`. */
function offeredChoice(
  input: { toolChoice?: ResponseToolChoice | null; tools?: ResponseTool[] | null },
  ctx: z.RefinementCtx,
): void {
  const choice = input.toolChoice;
  if (typeof choice === 'object' && choice !== null && !offers(input.tools ?? [], choice)) {
    // OpenAI names a forced function by its name, a hosted tool by its type.
    const named = choice.type === 'function' ? choice.name : choice.type;
    ctx.addIssue({
      code: 'custom',
      path: ['toolChoice'],
      message: `Tool choice '${named}' not found in 'tools' parameter.`,
    });
  }
}

/** Whether `tools` has the tool a forcing `tool_choice` names (a function by its name). */
function offers(tools: ResponseTool[], choice: Exclude<ResponseToolChoice, string>): boolean {
  return tools.some((tool) =>
    choice.type === 'function'
      ? tool.type === 'function' && tool.name === choice.name
      : tool.type === choice.type,
  );
}

export type ParsedResponseInput = z.output<typeof createResponseSchema>;

/** `POST /responses/input_tokens`: what the model would read of such a create, `model` optional. */
export const countInputTokensSchema = responseFieldsSchema
  .pick({
    model: true,
    input: true,
    instructions: true,
    previousResponseId: true,
    conversation: true,
    tools: true,
    toolChoice: true,
    parallelToolCalls: true,
    text: true,
    truncation: true,
  })
  .superRefine((input, ctx) => {
    exclusiveHistory(input, ctx);
    // Counted as the create would be read, so refused as the create would be.
    offeredChoice(input, ctx);
  });

/**
 * `POST /responses/compact`: a history (`input`, `previous_response_id` or both) to summarise.
 * OpenAI's spec requires its `model`.
 */
export const compactResponseSchema = z.object({
  model: modelSchema,
  ...responseFieldsSchema.pick({ input: true, instructions: true, previousResponseId: true }).shape,
});

export type CompactResponseInput = Partial<
  Record<keyof z.output<typeof compactResponseSchema>, unknown>
>;

export type CountInputTokensInput = Partial<
  Record<keyof z.output<typeof countInputTokensSchema>, unknown>
>;
/** Unvalidated: GraphQL's JSON fields arrive untyped, and `createResponseSchema` checks them. */
export type CreateResponseInput = Partial<Record<keyof ParsedResponseInput, unknown>>;

/** An item as stored and shown: OpenAI's item resource, with its id and status. */
export type StoredItem = Record<string, unknown> & { id: string; type: string };

/** The request's input as stored items, in order (a string is one user message). */
export function toStoredItems(input: ParsedResponseInput['input']): StoredItem[] {
  if (input === undefined) {
    return [];
  }
  const items: InputItem[] = typeof input === 'string' ? [{ role: 'user', content: input }] : input;
  return items.map(storedItem);
}

function storedItem(item: InputItem): StoredItem {
  if (item.type === 'function_call') {
    return {
      id: item.id ?? newId('functionCall'),
      type: 'function_call',
      status: item.status ?? 'completed',
      call_id: item.call_id,
      name: item.name,
      arguments: item.arguments,
    };
  }
  if (item.type === 'function_call_output') {
    return {
      id: item.id ?? newId('item'),
      type: 'function_call_output',
      status: 'completed',
      call_id: item.call_id,
      output: item.output,
    };
  }
  if (item.type === 'compaction') {
    return {
      id: item.id ?? newId('compaction'),
      type: 'compaction',
      encrypted_content: item.encrypted_content,
    };
  }
  const assistant = item.role === 'assistant';
  const parts = typeof item.content === 'string' ? [{ text: item.content }] : item.content;
  const content = parts.map((part) => {
    if ('type' in part && part.type === 'input_image') {
      return { type: 'input_image', image_url: part.image_url, detail: part.detail };
    }
    const text = 'text' in part ? part.text : '';
    return assistant
      ? { type: 'output_text', text, annotations: [] }
      : { type: 'input_text', text };
  });
  return {
    id: item.id ?? newId('message'),
    type: 'message',
    role: item.role,
    status: item.status ?? 'completed',
    content,
  };
}
