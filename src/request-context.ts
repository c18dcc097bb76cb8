import type { ServiceContext } from './context.js';
import type { Deps } from './deps.js';
import { AppError } from './errors.js';
import { toGraphQLError } from './graphql/errors.js';
import type { Logger } from './logger.js';
import { authenticate } from './services/api-keys.js';

/** Builds a request's service context from its credentials, for GraphQL and REST alike. */
export type ContextFactory = (
  authorization: string | null,
  logger: Logger,
) => Promise<ServiceContext>;

/** Authentication failures surface as GraphQL errors (401), which both edges know how to render. */
export function createContextFactory(deps: Deps): ContextFactory {
  return async (authorization, logger) => {
    try {
      const actor = await authenticate(deps.db, authorization);
      return {
        db: deps.db,
        logger: logger.child({ projectId: actor.projectId }),
        actor,
        jobs: deps.jobs,
        settings: deps.settings,
        runEvents: deps.runEvents,
        storage: deps.storage,
        retrieval: deps.retrieval,
      };
    } catch (error) {
      throw error instanceof AppError ? toGraphQLError(error) : error;
    }
  };
}
