import { z } from 'zod';
import { runToolsSchema } from '../assistants/assistant-tools.js';
import { REASONING_EFFORTS } from '../assistants/assistants.js';
import { responseFormatSchema } from '../assistants/response-format.js';
import { toolResourcesSchema } from '../assistants/tool-resources.js';
import { metadataSchema, missingParameter } from '../common/validation.js';
import { createMessageSchema } from '../threads/messages.js';

export const INCLUDE_FILE_SEARCH_CONTENT =
  'step_details.tool_calls[*].file_search.results[*].content';

/** `none` | `auto` | `required` | a named tool, always an object internally. */
export type ToolChoice =
  | { type: 'none' | 'auto' | 'required' | 'code_interpreter' | 'file_search' }
  | { type: 'function'; function: { name: string } };

/** `runs.tool_choice` as stored: the output of the input schema below. */
export const storedToolChoiceSchema: z.ZodType<ToolChoice> = z.discriminatedUnion('type', [
  z.object({ type: z.enum(['none', 'auto', 'required', 'code_interpreter', 'file_search']) }),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
]);

const toolChoiceSchema = z
  .object({
    type: z.enum(['none', 'auto', 'required', 'function', 'code_interpreter', 'file_search']),
    function: z.object({ name: z.string().min(1).max(64) }).nullish(),
  })
  .transform((choice, ctx): ToolChoice => {
    if (choice.type !== 'function') {
      return { type: choice.type };
    }
    if (!choice.function) {
      return missingParameter(ctx, 'function');
    }
    return { type: 'function', function: { name: choice.function.name } };
  });

export interface TruncationStrategy {
  type: 'auto' | 'last_messages';
  lastMessages: number | null;
}

/** `runs.truncation_strategy` as stored. */
export const storedTruncationSchema: z.ZodType<TruncationStrategy> = z.object({
  type: z.enum(['auto', 'last_messages']),
  lastMessages: z.number().nullable(),
});

const truncationSchema = z
  .object({
    type: z.enum(['auto', 'last_messages']),
    lastMessages: z.number().int().min(1).nullish(),
  })
  .transform(
    (strategy): TruncationStrategy => ({
      type: strategy.type,
      lastMessages: strategy.lastMessages ?? null,
    }),
  );

/** Fields a run takes whether it is created on a thread or with a new one. */
export const runFields = {
  assistantId: z.string().min(1),
  model: z.string().min(1).max(256).nullish(),
  instructions: z.string().max(256_000).nullish(),
  tools: runToolsSchema.nullish(),
  metadata: metadataSchema.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  topP: z.number().min(0).max(1).nullish(),
  maxPromptTokens: z.number().int().min(256).nullish(),
  maxCompletionTokens: z.number().int().min(256).nullish(),
  truncationStrategy: truncationSchema.nullish(),
  toolChoice: toolChoiceSchema.nullish(),
  parallelToolCalls: z.boolean().nullish(),
  responseFormat: responseFormatSchema.nullish(),
};

export const createRunSchema = z.object({
  ...runFields,
  reasoningEffort: z.enum(REASONING_EFFORTS).nullish(),
  additionalInstructions: z.string().max(256_000).nullish(),
  additionalMessages: z.array(createMessageSchema).max(32).nullish(),
  include: z.array(z.string().pipe(z.literal(INCLUDE_FILE_SEARCH_CONTENT))).nullish(),
});

export const createThreadAndRunSchema = z.object({
  ...runFields,
  thread: z
    .object({
      messages: z.array(createMessageSchema).max(32).nullish(),
      toolResources: toolResourcesSchema.nullish(),
      metadata: metadataSchema.nullish(),
    })
    .nullish(),
  toolResources: toolResourcesSchema.nullish(),
});

export type CreateRunInput = z.input<typeof createRunSchema>;
export type CreateThreadAndRunInput = z.input<typeof createThreadAndRunSchema>;
export type ParsedRunFields = z.output<z.ZodObject<typeof runFields>>;
