import type { Db } from '../../db/db.js';
import { newId } from '../../ids.js';
import type { Logger } from '../../logger.js';
import { type CreatedApiKey, createApiKey, hashApiKey } from './api-keys.js';

/** The project that `API_KEYS` and the first-start key belong to. */
export const DEFAULT_PROJECT_ID = 'proj_default';

export async function createProject(db: Db, input: { name: string; id?: string }) {
  return db.project.create({ data: { id: input.id ?? newId('project'), name: input.name } });
}

export async function listProjects(db: Db) {
  return db.project.findMany({
    orderBy: { createdAt: 'asc' },
    include: { _count: { select: { apiKeys: true } } },
  });
}

export interface BootstrapResult {
  /** Keys from `API_KEYS` that were not stored yet. */
  seeded: number;
  /** Set only when no key existed at all: the generated key, to print once. */
  generated: CreatedApiKey | null;
}

/**
 * Makes sure the server can be called and never serves anonymously: seeds `API_KEYS` into the
 * default project, and if no key exists anywhere, generates one (returned once, stored hashed).
 * Both are admin keys: whoever holds them runs the server.
 */
export async function bootstrapApiKeys(
  db: Db,
  seedKeys: string[],
  logger: Logger,
): Promise<BootstrapResult> {
  await db.project.upsert({
    where: { id: DEFAULT_PROJECT_ID },
    create: { id: DEFAULT_PROJECT_ID, name: 'Default project' },
    update: {},
  });
  let seeded = 0;
  for (const key of seedKeys) {
    const exists = await db.apiKey.findUnique({ where: { hash: hashApiKey(key) } });
    if (!exists) {
      await createApiKey(db, {
        projectId: DEFAULT_PROJECT_ID,
        name: 'API_KEYS',
        key,
        role: 'admin',
      });
      seeded += 1;
    }
  }
  if (seeded > 0) {
    logger.info({ seeded }, 'seeded API keys from API_KEYS');
  }
  const anyKey = await db.apiKey.findFirst({ where: { revokedAt: null }, select: { id: true } });
  if (anyKey) {
    return { seeded, generated: null };
  }
  const generated = await createApiKey(db, {
    projectId: DEFAULT_PROJECT_ID,
    name: 'generated at first start',
    role: 'admin',
  });
  return { seeded, generated };
}
