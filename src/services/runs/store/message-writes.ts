import type { Db } from '../../../db/db.js';
import { queryRaw } from '../../../db/raw-sql.js';
import { messageSql } from '../../../db/row-sql.js';
import { type Message, Prisma } from '../../../generated/prisma/client.js';
import { newId } from '../../../ids.js';
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
