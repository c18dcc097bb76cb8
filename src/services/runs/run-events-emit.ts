import type { Db } from '../../db/db.js';
import {
  appendRunEvents,
  type RunEventInput,
  type RunEventName,
  snapshot,
} from '../../events/run-events.js';

export interface RunRef {
  id: string;
  projectId: string;
  threadId: string;
}

type Kind = 'run' | 'step' | 'message' | 'thread';

export interface SnapshotItem {
  event: RunEventName;
  kind: Kind;
  id: string;
  /** The row as just written, when the caller has it; otherwise it is read. */
  row?: object;
}

async function readRow(db: Db, kind: Kind, id: string): Promise<object | null> {
  switch (kind) {
    case 'run':
      return db.run.findUnique({ where: { id } });
    case 'step':
      return db.runStep.findUnique({ where: { id } });
    case 'message':
      return db.message.findUnique({ where: { id } });
    case 'thread':
      return db.thread.findUnique({ where: { id } });
  }
}

/**
 * Appends events whose data are the rows as committed with them. Rows the caller passes are
 * used as they are; others are read, each once per call (created + in_progress share one).
 */
export async function emitSnapshots(db: Db, run: RunRef, items: SnapshotItem[]): Promise<void> {
  const rows = new Map<string, object | null>();
  const events: RunEventInput[] = [];
  for (const item of items) {
    const key = `${item.kind}:${item.id}`;
    if (item.row) {
      rows.set(key, item.row);
    } else if (!rows.has(key)) {
      rows.set(key, await readRow(db, item.kind, item.id));
    }
    const row = rows.get(key);
    if (row) {
      events.push({ event: item.event, data: snapshot(row) });
    }
  }
  await appendRunEvents(db, run, events);
}

/** The run's own event for its current status (`thread.run.<status>`). */
export function emitRunStatus(db: Db, run: RunRef, status: string): Promise<void> {
  return emitSnapshots(db, run, [
    { event: `thread.run.${status}` as RunEventName, kind: 'run', id: run.id },
  ]);
}
