import type { Db } from '../context.js';
import {
  appendRunEvents,
  type RunEventInput,
  type RunEventName,
  snapshot,
} from '../events/run-events.js';

export interface RunRef {
  id: string;
  projectId: string;
  threadId: string;
}

/** Appends events whose data are the current rows (re-read, so snapshots match the commit). */
export async function emitSnapshots(
  db: Db,
  run: RunRef,
  items: (
    | { event: RunEventName & `thread.run.${string}`; kind: 'run'; id: string }
    | { event: RunEventName; kind: 'step' | 'message' | 'thread'; id: string }
  )[],
): Promise<void> {
  const events: RunEventInput[] = [];
  for (const item of items) {
    const row =
      item.kind === 'run'
        ? await db.run.findUnique({ where: { id: item.id } })
        : item.kind === 'step'
          ? await db.runStep.findUnique({ where: { id: item.id } })
          : item.kind === 'message'
            ? await db.message.findUnique({ where: { id: item.id } })
            : await db.thread.findUnique({ where: { id: item.id } });
    if (row) {
      events.push({ event: item.event, data: snapshot(row) });
    }
  }
  await appendRunEvents(db, run, events);
}

/** The run's own event for its current status (`thread.run.<status>`). */
export function emitRunStatus(db: Db, run: RunRef, status: string): Promise<void> {
  return emitSnapshots(db, run, [
    {
      event: `thread.run.${status}` as RunEventName & `thread.run.${string}`,
      kind: 'run',
      id: run.id,
    },
  ]);
}
