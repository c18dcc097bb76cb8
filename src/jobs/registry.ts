import type { JobDefinition } from './define-job.js';

/**
 * Every job the worker runs. Empty until the run engine (issue #4) adds `execute-run` and
 * `expire-runs`; the worker process, its pg-boss schema and graceful stop are already real.
 */
export const jobs: JobDefinition[] = [];
