import { z } from 'zod';
import { jsonObjectSchema, missingParameter } from '../common/validation.js';

const jsonSchemaFormatSchema = z.object({
  name: z
    .string()
    .regex(
      /^[a-zA-Z0-9_-]{1,64}$/,
      'Expected a string that matches the pattern ^[a-zA-Z0-9_-]{1,64}$',
    ),
  description: z.string().nullish(),
  schema: jsonObjectSchema.nullish(),
  strict: z.boolean().nullish(),
});

/** Always an object internally; OpenAI's bare `"auto"` is `{ type: 'auto' }`. */
export type ResponseFormat =
  | { type: 'auto' | 'text' | 'json_object' }
  | { type: 'json_schema'; jsonSchema: z.output<typeof jsonSchemaFormatSchema> };

/** `response_format` as stored (assistants, runs): the output of `responseFormatSchema`. */
export const storedResponseFormatSchema: z.ZodType<ResponseFormat> = z.discriminatedUnion('type', [
  z.object({ type: z.enum(['auto', 'text', 'json_object']) }),
  z.object({
    type: z.literal('json_schema'),
    jsonSchema: z.object({
      name: z.string(),
      description: z.string().nullish(),
      schema: z.record(z.string(), z.unknown()).nullish(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

/** Flat in (`{ type, jsonSchema? }`), precise out. */
export const responseFormatSchema = z
  .object({
    type: z.enum(['auto', 'text', 'json_object', 'json_schema']),
    jsonSchema: jsonSchemaFormatSchema.nullish(),
  })
  .transform((format, ctx): ResponseFormat => {
    if (format.type !== 'json_schema') {
      return { type: format.type };
    }
    if (!format.jsonSchema) {
      return missingParameter(ctx, 'jsonSchema');
    }
    return { type: 'json_schema', jsonSchema: format.jsonSchema };
  });
