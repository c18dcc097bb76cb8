/**
 * The reason a worker that is shutting down aborts the runs it could not finish in time: each
 * is handed back (its heartbeat cleared and a job queued), so another worker continues it at
 * once instead of after RUN_STALE_AFTER_MS.
 */
export class HandBack extends Error {
  override name = 'HandBack';

  constructor() {
    super('The worker is shutting down; the run is handed to another worker.');
  }
}
