/**
 * NOTIFY channel telling the worker that executes a run to stop now (cancel, expiry). The payload
 * is the run id; the worker re-reads the run to learn why.
 */
export const RUN_SIGNAL_CHANNEL = 'assistants_run_signal';
