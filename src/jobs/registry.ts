import type { z } from 'zod';
import { actingFor } from '../context.js';
import { ingestionBytes, ingestionFiles } from '../observability/metrics.js';
import { executeResponse } from '../services/responses/engine/response-executor.js';
import type { EngineContext } from '../services/runs/engine/engine-context.js';
import { executeRun } from '../services/runs/engine/run-executor.js';
import { indexVectorStoreFile } from '../services/vector-stores/vector-store-indexing.js';
import type { JobDefinition } from './define-job.js';
import { executeResponseJob } from './execute-response.js';
import { executeRunJob } from './execute-run.js';
import { indexVectorStoreFileJob } from './index-vector-store-file.js';

/** A job and its handler: a thin adapter over a service. */
export interface RegisteredJob<S extends z.ZodType = z.ZodType> {
  definition: JobDefinition<S>;
  handle(deps: EngineContext, payload: z.output<S>): Promise<void>;
}

function register<S extends z.ZodType>(
  definition: JobDefinition<S>,
  handle: (deps: EngineContext, payload: z.output<S>) => Promise<void>,
): RegisteredJob {
  return { definition, handle } as RegisteredJob;
}

/** Every job the worker runs. */
export const jobs: RegisteredJob[] = [
  register(executeRunJob, (deps, { runId }) => executeRun(deps, runId)),
  register(executeResponseJob, (deps, { responseId }) => executeResponse(deps, responseId)),
  register(indexVectorStoreFileJob, async (deps, { projectId, apiKeyId, ...target }) => {
    const ctx = actingFor(deps, projectId);
    // Acts for the project still; the key only attributes the embedding usage.
    const outcome = await indexVectorStoreFile(
      { ...ctx, actor: { ...ctx.actor, apiKeyId: apiKeyId ?? null } },
      target,
    );
    ingestionFiles.inc({ status: outcome.status });
    if (outcome.status === 'completed') {
      ingestionBytes.inc(outcome.usageBytes);
    }
  }),
];
