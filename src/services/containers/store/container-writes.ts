import type { Db } from '../../../db/db.js';
import { queryRaw } from '../../../db/raw-sql.js';
import { Prisma } from '../../../generated/prisma/client.js';

/** A container file's row, its bytes already stored under `storageKey`. */
export interface NewContainerFile {
  id: string;
  containerId: string;
  projectId: string;
  path: string;
  bytes: number;
  source: 'user' | 'assistant';
  storageKey: string;
  createdAt: Date;
}

export async function insertContainer(
  db: Db,
  container: {
    id: string;
    projectId: string;
    name: string;
    createdAt: Date;
    expiresAfterMinutes: number;
    memoryLimit: string;
  },
  files: NewContainerFile[],
): Promise<void> {
  await db.container.create({
    data: { ...container, lastActiveAt: container.createdAt, status: 'running' },
  });
  if (files.length > 0) {
    await db.containerFile.createMany({ data: files });
  }
}

/**
 * Marks a use of the container (its expiry moves on), if it is still running at `now`: one
 * statement, so a use racing the expiry either lands before it or is refused. False: expired
 * or no such container in the project.
 */
export async function touchContainer(
  db: Db,
  id: string,
  projectId: string,
  now: Date,
): Promise<boolean> {
  const rows = await queryRaw<{ id: string }>(
    db,
    Prisma.sql`
    UPDATE containers SET last_active_at = ${now}
     WHERE id = ${id} AND project_id = ${projectId} AND status = 'running'
       AND last_active_at + expires_after_minutes * interval '1 minute' > ${now}
    RETURNING id`,
  );
  return rows.length > 0;
}

/**
 * Writes a file at its path, replacing the file that was there (code rewrote it, or the same
 * name was uploaded again). Returns the replaced file's storage key, to remove its bytes.
 */
export async function putContainerFile(db: Db, file: NewContainerFile): Promise<string | null> {
  const replaced = await db.containerFile.findUnique({
    where: { containerId_path: { containerId: file.containerId, path: file.path } },
    select: { id: true, storageKey: true },
  });
  if (replaced) {
    await db.containerFile.delete({ where: { id: replaced.id } });
  }
  await db.containerFile.create({ data: file });
  return replaced?.storageKey ?? null;
}

/** Deletes one file; its storage key, or undefined when there was no such file. */
export async function deleteContainerFileRow(
  db: Db,
  containerId: string,
  fileId: string,
): Promise<string | null | undefined> {
  const rows = await queryRaw<{ storage_key: string | null }>(
    db,
    Prisma.sql`
    DELETE FROM container_files WHERE id = ${fileId} AND container_id = ${containerId}
    RETURNING storage_key`,
  );
  return rows[0] === undefined ? undefined : rows[0].storage_key;
}

/** Deletes a container with its files; their storage keys, or null when there was none. */
export async function deleteContainerRow(
  db: Db,
  id: string,
  projectId: string,
): Promise<string[] | null> {
  const rows = await queryRaw<{ id: string; storage_key: string | null }>(
    db,
    Prisma.sql`
    WITH gone AS (DELETE FROM containers WHERE id = ${id} AND project_id = ${projectId} RETURNING id),
         files AS (
           DELETE FROM container_files f USING gone WHERE f.container_id = gone.id
           RETURNING f.storage_key
         )
    SELECT gone.id, files.storage_key FROM gone LEFT JOIN files ON true`,
  );
  if (rows.length === 0) {
    return null;
  }
  return rows.flatMap((row) => (row.storage_key === null ? [] : [row.storage_key]));
}

/**
 * Records the expiry of up to `batch` running containers idle past their window at `now`
 * and detaches their files' bytes (the rows stay, for listings): returns the containers and
 * the storage keys to remove.
 */
export async function expireIdleContainers(
  db: Db,
  now: Date,
  batch: number,
): Promise<{ expired: string[]; storageKeys: string[] }> {
  const rows = await queryRaw<{ id: string; storage_key: string | null }>(
    db,
    Prisma.sql`
    WITH due AS (
      SELECT id FROM containers
       WHERE status = 'running'
         AND last_active_at + expires_after_minutes * interval '1 minute' <= ${now}
       ORDER BY last_active_at
       LIMIT ${batch}
       FOR UPDATE SKIP LOCKED
    ),
    marked AS (UPDATE containers c SET status = 'expired' FROM due WHERE c.id = due.id RETURNING c.id),
    detached AS (
      UPDATE container_files f SET storage_key = NULL
        FROM marked m, container_files old
       WHERE f.container_id = m.id AND old.id = f.id AND old.storage_key IS NOT NULL
      RETURNING f.container_id, old.storage_key
    )
    SELECT m.id, d.storage_key FROM marked m LEFT JOIN detached d ON d.container_id = m.id`,
  );
  return {
    expired: [...new Set(rows.map((row) => row.id))],
    storageKeys: rows.flatMap((row) => (row.storage_key === null ? [] : [row.storage_key])),
  };
}
