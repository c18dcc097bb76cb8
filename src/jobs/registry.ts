import type { z } from 'zod';
import type { ExecutorDeps } from '../services/runs/engine/run-executor.js';
import { executeRun } from '../services/runs/engine/run-executor.js';
import { indexVectorStoreFile } from '../services/vector-stores/vector-store-indexing.js';
import type { JobDefinition } from './define-job.js';
import { executeRunJob } from './execute-run.js';
import { indexVectorStoreFileJob } from './index-vector-store-file.js';
import { jobContext } from './job-context.js';

/** A job and its handler: a thin adapter over a service. */
export interface RegisteredJob<S extends z.ZodType = z.ZodType> {
  definition: JobDefinition<S>;
  handle(deps: ExecutorDeps, payload: z.output<S>): Promise<void>;
}

function register<S extends z.ZodType>(
  definition: JobDefinition<S>,
  handle: (deps: ExecutorDeps, payload: z.output<S>) => Promise<void>,
): RegisteredJob {
  return { definition, handle } as RegisteredJob;
}

/** Every job the worker runs. */
export const jobs: RegisteredJob[] = [
  register(executeRunJob, (deps, { runId }) => executeRun(deps, runId)),
  register(indexVectorStoreFileJob, async (deps, { projectId, ...target }) => {
    await indexVectorStoreFile(jobContext(deps, projectId), target);
  }),
];
