import { z } from 'zod';
import { jsonObjectSchema } from '../common/validation.js';

/** Function names as OpenAI allows them: `[a-zA-Z0-9_-]`, at most 64 characters. */
const functionNameSchema = z
  .string()
  .regex(
    /^[a-zA-Z0-9_-]{1,64}$/,
    'Expected a string that matches the pattern ^[a-zA-Z0-9_-]{1,64}$',
  );

const functionDefinitionSchema = z.object({
  name: functionNameSchema,
  description: z.string().max(1_000_000).nullish(),
  /** JSON Schema of the arguments; omitted means no parameters. */
  parameters: jsonObjectSchema.nullish(),
  strict: z.boolean().nullish(),
});

const fileSearchOptionsSchema = z.object({
  maxNumResults: z.number().int().min(1).max(50).nullish(),
  rankingOptions: z
    .object({
      ranker: z.enum(['auto', 'default_2024_08_21']).nullish(),
      scoreThreshold: z.number().min(0).max(1),
    })
    .nullish(),
});

type FunctionDefinition = z.output<typeof functionDefinitionSchema>;
type FileSearchOptions = z.output<typeof fileSearchOptionsSchema>;

/** A tool as stored and returned. */
export type AssistantTool =
  | { type: 'code_interpreter' }
  | { type: 'file_search'; fileSearch?: FileSearchOptions | null }
  | { type: 'function'; function: FunctionDefinition };

/**
 * A tool as stored (`assistants.tools`, `runs.tools`): the output of `assistantToolSchema`, minus
 * absent keys. Only the shape is checked, not the request limits it was written under.
 */
export const storedAssistantToolSchema: z.ZodType<AssistantTool> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('code_interpreter') }),
  z.object({
    type: z.literal('file_search'),
    fileSearch: z
      .object({
        maxNumResults: z.number().nullish(),
        rankingOptions: z
          .object({
            ranker: z.enum(['auto', 'default_2024_08_21']).nullish(),
            scoreThreshold: z.number(),
          })
          .nullish(),
      })
      .nullish(),
  }),
  z.object({
    type: z.literal('function'),
    function: z.object({
      name: z.string(),
      description: z.string().nullish(),
      parameters: z.record(z.string(), z.unknown()).nullish(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

export const storedAssistantToolsSchema = z.array(storedAssistantToolSchema);

/**
 * Tools arrive flat (`{ type, function?, fileSearch? }`, as GraphQL inputs must be) and leave as
 * the precise union; a function tool without its definition is refused.
 */
export const assistantToolSchema = z
  .object({
    type: z.enum(['code_interpreter', 'file_search', 'function']),
    function: functionDefinitionSchema.nullish(),
    fileSearch: fileSearchOptionsSchema.nullish(),
  })
  .transform((tool, ctx): AssistantTool => {
    switch (tool.type) {
      case 'code_interpreter':
        return { type: 'code_interpreter' };
      case 'file_search':
        return tool.fileSearch
          ? { type: 'file_search', fileSearch: tool.fileSearch }
          : { type: 'file_search' };
      case 'function':
        if (!tool.function) {
          ctx.addIssue({
            code: 'custom',
            path: ['function'],
            message: 'Missing required parameter',
          });
          return z.NEVER;
        }
        return { type: 'function', function: tool.function };
    }
  });

/** Assistants may carry 128 tools; run overrides only 20 (OpenAI's two caps). */
export const assistantToolsSchema = z.array(assistantToolSchema).max(128);
export const runToolsSchema = z.array(assistantToolSchema).max(20);
