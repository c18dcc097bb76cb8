import type { Conversation } from '../../generated/prisma/client.js';

/** A conversation as OpenAI's Conversations API shows it. */
export function conversationObject(row: Pick<Conversation, 'id' | 'createdAt' | 'metadata'>) {
  return {
    id: row.id,
    object: 'conversation' as const,
    created_at: Math.floor(row.createdAt.getTime() / 1000),
    metadata: row.metadata,
  };
}
