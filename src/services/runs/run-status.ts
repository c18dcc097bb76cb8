/** OpenAI's run statuses, exactly; never invent one (the SDK's pollers busy-loop on unknowns). */
export const RUN_STATUSES = [
  'queued',
  'in_progress',
  'requires_action',
  'cancelling',
  'cancelled',
  'failed',
  'completed',
  'incomplete',
  'expired',
] as const;

export type RunStatus = (typeof RUN_STATUSES)[number];

/** A run in one of these holds its thread's lock. */
export const ACTIVE_RUN_STATUSES = [
  'queued',
  'in_progress',
  'requires_action',
  'cancelling',
] as const;

/** A run in one of these may be held by a worker's lease (and be taken over when it goes stale). */
export const EXECUTING_RUN_STATUSES = ['in_progress', 'cancelling'] as const;

export const TERMINAL_RUN_STATUSES = [
  'cancelled',
  'failed',
  'completed',
  'incomplete',
  'expired',
] as const satisfies readonly RunStatus[];

export type TerminalRunStatus = (typeof TERMINAL_RUN_STATUSES)[number];

/**
 * Every allowed move (CONTRACT.md §5.1). A cancelling run may still end completed, failed or
 * incomplete: cancellation is "attempted but not guaranteed".
 */
const TRANSITIONS: Record<RunStatus, readonly RunStatus[]> = {
  queued: ['in_progress', 'cancelling', 'expired', 'failed'],
  in_progress: ['requires_action', 'completed', 'incomplete', 'failed', 'cancelling', 'expired'],
  requires_action: ['queued', 'cancelling', 'expired'],
  cancelling: ['cancelled', 'completed', 'incomplete', 'failed', 'expired'],
  cancelled: [],
  failed: [],
  completed: [],
  incomplete: [],
  expired: [],
};

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses a run may be in for it to move to `to`. */
export function statusesBefore(to: RunStatus): RunStatus[] {
  return RUN_STATUSES.filter((from) => canTransition(from, to));
}

export function isTerminal(status: string): status is TerminalRunStatus {
  return (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);
}

export function isActive(status: string): boolean {
  return (ACTIVE_RUN_STATUSES as readonly string[]).includes(status);
}

/** Whether a run event is the run's last: `thread.run.<terminal status>`. */
export function isTerminalRunEvent(event: string): boolean {
  return event.startsWith('thread.run.') && isTerminal(event.slice('thread.run.'.length));
}
