import { z } from 'zod';
import { defineJob } from './define-job.js';

/** Generates a response (foreground or background): starts it, or takes it over after a crash. */
export const executeResponseJob = defineJob(
  'execute-response',
  z.object({ responseId: z.string().min(1) }),
);
