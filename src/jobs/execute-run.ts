import { z } from 'zod';
import { defineJob } from './define-job.js';

/** Moves a run forward: starts it, resumes it after a crash, or finalizes a cancel. */
export const executeRunJob = defineJob('execute-run', z.object({ runId: z.string().min(1) }));
