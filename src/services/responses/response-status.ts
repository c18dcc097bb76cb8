/** OpenAI's response statuses, exactly. */
export const RESPONSE_STATUSES = [
  'queued',
  'in_progress',
  'completed',
  'failed',
  'incomplete',
  'cancelled',
] as const;

export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];

export function isTerminalResponse(status: string): boolean {
  return (
    status === 'completed' ||
    status === 'failed' ||
    status === 'incomplete' ||
    status === 'cancelled'
  );
}

/**
 * The stream event each terminal status ends with. OpenAI's stream has no event for a cancel:
 * a stream of a cancelled response ends with an `error` event saying so.
 */
export const END_EVENTS = {
  completed: 'response.completed',
  failed: 'response.failed',
  incomplete: 'response.incomplete',
  cancelled: 'error',
} as const;

/** Whether a stream is over after this event. */
export function endsResponseStream(event: string): boolean {
  return (Object.values(END_EVENTS) as string[]).includes(event);
}
