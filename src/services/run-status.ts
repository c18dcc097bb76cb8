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
