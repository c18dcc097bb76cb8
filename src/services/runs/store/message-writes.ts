import type { Db } from '../../../db/db.js';
import { queryRaw } from '../../../db/raw-sql.js';
import { messageSql } from '../../../db/row-sql.js';
import { type Message, Prisma } from '../../../generated/prisma/client.js';
import { newId } from '../../../ids.js';
import { ACTIVE_RUN_STATUSES } from '../run-status.js';
import { jsonData } from './run-statement.js';

/** A message the caller writes (user or assistant authored), completed as it is created. */
export interface NewMessage {
  projectId: string;
  threadId: string;
  role: 'user' | 'assistant';
  content: unknown;
  attachments: unknown[];
  metadata: Record<string, string>;
}

/** Raw SQL: every thread-and-run writes one (Prisma's query compiler costs ~1 ms of CPU). */
export async function insertMessage(db: Db, message: NewMessage): Promise<Message> {
  const now = new Date();
  const [row] = await queryRaw<Message>(
    db,
    Prisma.sql`
    INSERT INTO messages (id, project_id, thread_id, created_at, role, status, completed_at,
                          content, attachments, metadata)
    VALUES (${newId('message')}, ${message.projectId}, ${message.threadId}, ${now}::timestamp(3),
            ${message.role}, 'completed', ${now}::timestamp(3), ${jsonData(message.content)},
            ${jsonData(message.attachments)}, ${jsonData(message.metadata)})
    RETURNING ${messageSql.columns}`,
  );
  if (!row) {
    throw new Error(`Message insert on thread ${message.threadId} returned no row`);
  }
  return row;
}

/** A message carried over from a response's turn, under the id of the item it comes from. */
export interface CarriedMessage {
  id: string;
  role: 'user' | 'assistant';
  content: unknown;
}

/**
 * Appends a response's turn to a thread as completed messages, in order, in one statement that
 * first takes the thread's lock (as adding a message does), so two turns ending together are
 * appended one after the other, never interleaved. A message whose id is already stored (an
 * output sent back as input) is kept once, where it was. Returns the ids written; none when the
 * thread is gone.
 */
export async function appendCarriedMessages(
  db: Db,
  threadId: string,
  messages: CarriedMessage[],
  createdAt: Date,
): Promise<string[]> {
  if (messages.length === 0) {
    return [];
  }
  const values = Prisma.join(
    messages.map(
      (message, n) =>
        Prisma.sql`(${n}::int, ${message.id}::text, ${message.role}::text, ${jsonData(message.content)})`,
    ),
  );
  const rows = await queryRaw<{ id: string }>(
    db,
    Prisma.sql`
    WITH locked AS (
      SELECT id, project_id FROM threads WHERE id = ${threadId} FOR NO KEY UPDATE
    )
    INSERT INTO messages (id, project_id, thread_id, created_at, role, status, completed_at,
                          content, attachments, metadata)
    SELECT v.id, locked.project_id, locked.id, ${createdAt}::timestamp(3), v.role, 'completed',
           ${createdAt}::timestamp(3), v.content, '[]'::jsonb, '{}'::jsonb
      FROM locked, (VALUES ${values}) AS v(n, id, role, content)
     ORDER BY v.n
    ON CONFLICT (id) DO NOTHING
    RETURNING id`,
  );
  return rows.map((row) => row.id);
}

/** Why a message was not added: the thread is missing, or a run on it is active. */
export type MessageBlocked = { blocked: 'no_thread' } | { blocked: 'active_run'; runId: string };

/**
 * A message added on its own (`messages.create`): the thread's lock, the active-run check and
 * the insert in one statement (SQL function `lock_thread_for_messages`), instead of a
 * transaction of five round trips. Without a transaction around it, the statement is its own.
 */
export async function insertMessageUnlessBlocked(
  db: Db,
  message: NewMessage,
): Promise<Message | MessageBlocked> {
  const now = new Date();
  const [row] = await queryRaw<Message & { blocker: string | null }>(
    db,
    Prisma.sql`
    WITH guard AS (
      SELECT lock_thread_for_messages(${message.threadId}, ${message.projectId},
                                      ${[...ACTIVE_RUN_STATUSES]}::text[]) AS blocker
    ), inserted AS (
      INSERT INTO messages (id, project_id, thread_id, created_at, role, status, completed_at,
                            content, attachments, metadata)
      SELECT ${newId('message')}, ${message.projectId}, ${message.threadId}, ${now}::timestamp(3),
             ${message.role}, 'completed', ${now}::timestamp(3), ${jsonData(message.content)},
             ${jsonData(message.attachments)}, ${jsonData(message.metadata)}
        FROM guard WHERE guard.blocker = ''
      RETURNING ${messageSql.columns}
    )
    SELECT guard.blocker, inserted.* FROM guard LEFT JOIN inserted ON true`,
  );
  if (!row || row.blocker === null) {
    return { blocked: 'no_thread' };
  }
  if (row.blocker !== '') {
    return { blocked: 'active_run', runId: row.blocker };
  }
  const { blocker: _blocker, ...inserted } = row;
  return inserted;
}

/** The message's metadata; false when the thread (of the project) has no such message. */
export async function updateMessageMetadata(
  db: Db,
  message: { id: string; threadId: string; projectId: string },
  metadata: Record<string, string>,
): Promise<boolean> {
  const rows = await queryRaw(
    db,
    Prisma.sql`UPDATE messages SET metadata = ${jsonData(metadata)}
     WHERE id = ${message.id} AND thread_id = ${message.threadId}
       AND project_id = ${message.projectId}
    RETURNING id`,
  );
  return rows.length > 0;
}

/** False when the thread (of the project) has no such message. */
export async function deleteMessage(
  db: Db,
  message: { id: string; threadId: string; projectId: string },
): Promise<boolean> {
  const rows = await queryRaw(
    db,
    Prisma.sql`DELETE FROM messages
     WHERE id = ${message.id} AND thread_id = ${message.threadId}
       AND project_id = ${message.projectId}
    RETURNING id`,
  );
  return rows.length > 0;
}
