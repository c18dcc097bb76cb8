import type { ServiceContext } from './context.js';
import type { Deps } from './deps.js';
import { mapAppError } from './graphql/errors.js';
import type { Logger } from './logger.js';
import { API_KEYS_CHANNEL, createApiKeyCache } from './services/auth/api-keys.js';

/** Builds a request's service context from its credentials, for GraphQL and REST alike. */
export type ContextFactory = (
  authorization: string | null,
  logger: Logger,
  /** `fresh`: check the key in the database, not the cache (graphql-ws operations). */
  options?: { fresh?: boolean },
) => Promise<ServiceContext>;

/** How long a resolved key is trusted without a database lookup (revocations clear it at once). */
const API_KEY_CACHE_MS = 5000;

/** Authentication failures surface as GraphQL errors (401), which both edges know how to render. */
export function createContextFactory(deps: Deps): ContextFactory {
  const keys = createApiKeyCache(deps.db, { ttlMs: API_KEY_CACHE_MS });
  deps.listener.on(API_KEYS_CHANNEL, () => keys.clear());
  deps.listener.onReconnect(() => keys.clear());
  return async (authorization, logger, options) => {
    try {
      const actor = await keys.authenticate(authorization, options);
      return {
        db: deps.db,
        logger: logger.child({ projectId: actor.projectId }),
        actor,
        jobs: deps.jobs,
        settings: deps.settings,
        runEvents: deps.runEvents,
        responseEvents: deps.responseEvents,
        storage: deps.storage,
        retrieval: deps.retrieval,
        model: deps.model,
      };
    } catch (error) {
      throw mapAppError(error);
    }
  };
}
