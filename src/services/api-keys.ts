import { createHash } from 'node:crypto';
import type { Actor, Db } from '../context.js';
import { AuthenticationError } from '../errors.js';
import { newId, randomBase62 } from '../ids.js';

const KEY_PREFIX = 'sk-';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A new random key; it is returned once and only its hash is stored. */
export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBase62(48)}`;
}

export interface CreatedApiKey {
  id: string;
  projectId: string;
  /** The plaintext key. Shown once; never stored. */
  key: string;
}

/** Stores a key for a project (hashed). Pass `key` to register a known key (seeding). */
export async function createApiKey(
  db: Db,
  input: { projectId: string; name?: string | null; key?: string },
): Promise<CreatedApiKey> {
  const key = input.key ?? generateApiKey();
  const row = await db.apiKey.create({
    data: {
      id: newId('apiKey'),
      projectId: input.projectId,
      hash: hashApiKey(key),
      prefix: key.slice(0, 8),
      name: input.name ?? null,
    },
  });
  return { id: row.id, projectId: row.projectId, key };
}

function maskKey(key: string): string {
  return key.length <= 8 ? '***' : `${key.slice(0, 3)}***${key.slice(-4)}`;
}

/**
 * Resolves `Authorization: Bearer <key>` to the key's project. Every request goes through here;
 * nothing is served unauthenticated.
 */
export async function authenticate(db: Db, authorization: string | null): Promise<Actor> {
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  const key = match?.[1];
  if (!key) {
    throw new AuthenticationError(
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    );
  }
  const row = await db.apiKey.findUnique({
    where: { hash: hashApiKey(key) },
    select: { id: true, projectId: true, revokedAt: true },
  });
  if (!row || row.revokedAt !== null) {
    throw new AuthenticationError(`Incorrect API key provided: ${maskKey(key)}.`, {
      openaiCode: 'invalid_api_key',
    });
  }
  return { projectId: row.projectId, apiKeyId: row.id };
}
