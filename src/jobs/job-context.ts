import type { ServiceContext } from '../context.js';

/** The service context a job runs in: the worker's resources, acting for the job's project. */
export function jobContext(deps: Omit<ServiceContext, 'actor'>, projectId: string): ServiceContext {
  return {
    db: deps.db,
    logger: deps.logger,
    jobs: deps.jobs,
    settings: deps.settings,
    runEvents: deps.runEvents,
    storage: deps.storage,
    retrieval: deps.retrieval,
    actor: { projectId, apiKeyId: null },
  };
}
