import { z } from 'zod';
import { idSchema, missingParameter } from '../common/validation.js';

/** OpenAI's memory sizes; the sandbox's own limits apply whatever is asked (see the readme). */
export const MEMORY_LIMITS = ['1g', '4g', '16g', '64g'] as const;

/** OpenAI's default window: 20 minutes after the last use. */
export const DEFAULT_EXPIRES_AFTER_MINUTES = 20;

export const containerExpiresAfterSchema = z.strictObject({
  anchor: z.enum(['last_active_at']),
  // A day at most: a container is a working directory, not storage.
  minutes: z.number().int().min(1).max(1440),
});

/** What a container is made of, for `POST /containers` and `container: {type: 'auto'}` alike. */
export const createContainerSchema = z
  .object({
    name: z.string().max(256).optional(),
    fileIds: z.array(idSchema).max(50).nullish(),
    expiresAfter: containerExpiresAfterSchema.nullish(),
    memoryLimit: z.enum(MEMORY_LIMITS).nullish(),
  })
  .transform((input, ctx) =>
    input.name === undefined ? missingParameter(ctx, 'name') : { ...input, name: input.name },
  );

export type ParsedContainerInput = z.output<typeof createContainerSchema>;

/** Unvalidated: GraphQL's JSON fields arrive untyped, and `createContainerSchema` checks them. */
export type CreateContainerInput = {
  name?: unknown;
  fileIds?: unknown;
  expiresAfter?: unknown;
  memoryLimit?: unknown;
};
