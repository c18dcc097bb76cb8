import { Prisma } from '../../../generated/prisma/client.js';
import { canTransition, type RunStatus, statusesBefore } from '../run-status.js';

/**
 * The SQL of a run's status moves, from run-status.ts's transition table: the only place a run's
 * `status` is written (an architecture test holds every other statement to it).
 */
export interface StatusMove {
  /** SET items: the status and the columns that change with it. */
  set: Prisma.Sql;
  /** WHERE condition on the run's row (alias `runs`, or as given): a status the move is allowed from. */
  allowed: Prisma.Sql;
}

/** What a move to a status also sets: the run lets go of its lease and its timestamps follow. */
function columnsOf(to: RunStatus, now: Date): Prisma.Sql[] {
  const at = Prisma.sql`${now}::timestamp(3)`;
  switch (to) {
    case 'completed':
    case 'incomplete':
      return [Prisma.sql`lease_id = NULL, completed_at = ${at}, expires_at = NULL`];
    case 'cancelled':
      return [Prisma.sql`lease_id = NULL, cancelled_at = ${at}, expires_at = NULL`];
    case 'failed':
      return [Prisma.sql`lease_id = NULL, failed_at = ${at}, expires_at = NULL`];
    case 'expired':
      return [Prisma.sql`lease_id = NULL`];
    case 'requires_action':
      // Nobody executes a run that waits for the caller: no lease, no heartbeat to go stale.
      return [Prisma.sql`lease_id = NULL, heartbeat_at = NULL`];
    case 'in_progress':
    case 'queued':
    case 'cancelling':
      return [];
  }
}

/**
 * A move to `to` from any status the table allows it from, or only from `from` (a
 * compare-and-set on a status the caller read; it must be an allowed move).
 */
export function moveTo(
  to: RunStatus,
  now: Date,
  options: { from?: RunStatus; alias?: string } = {},
): StatusMove {
  const column = Prisma.raw(options.alias ? `${options.alias}.status` : 'status');
  if (options.from !== undefined && !canTransition(options.from, to)) {
    throw new Error(`A run cannot move from ${options.from} to ${to}`);
  }
  const from = options.from === undefined ? statusesBefore(to) : [options.from];
  return {
    set: Prisma.join([Prisma.sql`status = ${to}`, ...columnsOf(to, now)]),
    allowed: Prisma.sql`${column} IN (${Prisma.join(from)})`,
  };
}
