import { createHash } from 'node:crypto';
import type { Actor } from '../../context.js';
import type { Db } from '../../db/db.js';
import { AuthenticationError } from '../../errors.js';
import type { ApiKey } from '../../generated/prisma/client.js';
import { newId, randomBase62 } from '../../ids.js';

/** How keys begin, by role, as OpenAI's do: a key's kind shows at a glance (and to scanners). */
const KEY_PREFIXES = { admin: 'sk-admin-', project: 'sk-proj-' } as const;

export const API_KEY_ROLES = ['admin', 'project'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** `last_used_at` is written at most this often per key (it is a write on a read path). */
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A new random key; it is returned once and only its hash is stored. */
export function generateApiKey(role: ApiKeyRole = 'project'): string {
  return `${KEY_PREFIXES[role]}${randomBase62(48)}`;
}

/** What lists show of a key: enough to tell keys apart, never enough to use one. */
export function redactedKey(row: { prefix: string; suffix: string }): string {
  return `${row.prefix}...${row.suffix}`;
}

export interface CreatedApiKey {
  id: string;
  projectId: string;
  /** The plaintext key. Shown once; never stored. */
  key: string;
  row: ApiKey;
}

export interface CreateApiKeyInput {
  projectId: string;
  name?: string | null;
  /** A known key to register (seeding); otherwise one is generated. */
  key?: string;
  /** (Default: project) */
  role?: ApiKeyRole;
  serviceAccountId?: string | null;
  expiresAt?: Date | null;
}

/** Stores a key for a project (hashed). */
export async function createApiKey(db: Db, input: CreateApiKeyInput): Promise<CreatedApiKey> {
  const role = input.role ?? 'project';
  const key = input.key ?? generateApiKey(role);
  const row = await db.apiKey.create({
    data: {
      id: newId('apiKey'),
      projectId: input.projectId,
      hash: hashApiKey(key),
      prefix: key.slice(0, 8),
      suffix: key.length > 16 ? key.slice(-4) : '',
      name: input.name ?? null,
      role,
      serviceAccountId: input.serviceAccountId ?? null,
      expiresAt: input.expiresAt ?? null,
    },
  });
  return { id: row.id, projectId: row.projectId, key, row };
}

function maskKey(key: string): string {
  return key.length <= 8 ? '***' : `${key.slice(0, 3)}***${key.slice(-4)}`;
}

function bearerKey(authorization: string | null): string {
  // Whatever follows `Bearer` is the caller's key, spaces and all: a placeholder left in
  // (`Bearer <your API key>`) was provided, and is answered as an incorrect key, as OpenAI does.
  const match = authorization?.match(/^Bearer\s+(.*?)\s*$/i);
  const key = match?.[1];
  if (!key) {
    throw new AuthenticationError(
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    );
  }
  return key;
}

async function lookUp(db: Db, key: string, hash: string): Promise<Actor> {
  const row = await db.apiKey.findUnique({
    where: { hash },
    select: {
      id: true,
      projectId: true,
      role: true,
      revokedAt: true,
      expiresAt: true,
      lastUsedAt: true,
      project: { select: { archivedAt: true } },
    },
  });
  const now = Date.now();
  if (
    !row ||
    row.revokedAt !== null ||
    (row.expiresAt !== null && row.expiresAt.getTime() <= now) ||
    row.project.archivedAt !== null
  ) {
    throw new AuthenticationError(`Incorrect API key provided: ${maskKey(key)}.`, {
      openaiCode: 'invalid_api_key',
    });
  }
  if (row.lastUsedAt === null || row.lastUsedAt.getTime() < now - LAST_USED_RESOLUTION_MS) {
    // Only on a cache miss, and at most once a minute per key: accurate enough for the lists.
    await db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
  }
  return { projectId: row.projectId, apiKeyId: row.id, admin: row.role === 'admin' };
}

/**
 * Resolves `Authorization: Bearer <key>` to the key's project and role. Revoked and expired keys
 * and the keys of archived projects are refused. Every request goes through here;
 * nothing is served unauthenticated.
 */
export async function authenticate(db: Db, authorization: string | null): Promise<Actor> {
  const key = bearerKey(authorization);
  return lookUp(db, key, hashApiKey(key));
}

/**
 * NOTIFY channel on which the database announces that an API key changed (revoked, deleted):
 * a trigger on `api_keys` sends it, whoever made the change (CLI, SQL, another process).
 */
export const API_KEYS_CHANNEL = 'assistants_api_keys_changed';

export interface ApiKeyCache {
  /**
   * `authenticate` that remembers resolved keys for a few seconds. `fresh` skips the cache
   * (long-lived connections re-checking a key they hold).
   */
  authenticate(authorization: string | null, options?: { fresh?: boolean }): Promise<Actor>;
  /** Forgets every resolved key: a key changed, or the change notices may have been missed. */
  clear(): void;
}

/**
 * Every request authenticates, and a lookup is a database round trip (about 1 ms of CPU in
 * Prisma): resolved keys are kept for `ttlMs`. The owner clears the cache on `API_KEYS_CHANNEL`
 * (a revocation takes effect at once) and after a lost LISTEN connection; `ttlMs` bounds what a
 * missed notice could cost. Unknown and revoked keys are never cached, so a new key works at once.
 */
export function createApiKeyCache(
  db: Db,
  options: { ttlMs: number; maxEntries?: number },
): ApiKeyCache {
  const maxEntries = options.maxEntries ?? 10_000;
  const resolved = new Map<string, { actor: Actor; until: number }>();
  /** Bumped by clear(): a lookup that started before a clear must not refill the cache. */
  let generation = 0;
  return {
    async authenticate(authorization, { fresh = false } = {}) {
      const key = bearerKey(authorization);
      const hash = hashApiKey(key);
      const hit = resolved.get(hash);
      if (hit && !fresh && hit.until > Date.now()) {
        return hit.actor;
      }
      const startedIn = generation;
      const actor = await lookUp(db, key, hash);
      if (startedIn === generation) {
        if (resolved.size >= maxEntries) {
          resolved.clear();
        }
        resolved.set(hash, { actor, until: Date.now() + options.ttlMs });
      }
      return actor;
    },
    clear() {
      generation += 1;
      resolved.clear();
    },
  };
}
