import { z } from 'zod';
import { metadataSchema } from '../common/validation.js';
import { inputItemSchema } from '../responses/response-input.js';

/** OpenAI takes at most 20 items per call, on create as on items create. */
const itemsSchema = z.array(inputItemSchema).max(20);

export const createConversationSchema = z.object({
  items: itemsSchema.nullish(),
  metadata: metadataSchema.nullish(),
});

export const updateConversationSchema = z.object({ metadata: metadataSchema });

export const createConversationItemsSchema = z.object({ items: itemsSchema.min(1) });

/** Unvalidated: GraphQL's JSON fields arrive untyped, and the schemas above check them. */
export type CreateConversationInput = { items?: unknown; metadata?: unknown };
