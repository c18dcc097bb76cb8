import type { IncomingMessage, ServerResponse } from 'node:http';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { ServiceContext } from '../context.js';
import type { Logger } from '../logger.js';
import type { ContextFactory } from '../request-context.js';
import { createDocumentCache } from './document-cache.js';
import { GRAPHIQL_DEFAULT_QUERY } from './graphiql-default-query.js';
import { createGraphiQLRenderer } from './graphiql-page.js';
import type { GraphQLLimits } from './limits/operation-limits.js';
import { useOperationLimits } from './limits/use-operation-limits.js';
import { usePartialDataStatus } from './partial-data-status.js';
import { getSchema } from './schema.js';
import { useStreamingUploads } from './streaming-uploads.js';
import { tracingPlugin } from './tracing-plugin.js';

export interface ServerContext {
  req: IncomingMessage;
  res: ServerResponse;
  logger: Logger;
  /** Set for graphql-ws operations, whose credentials come in `connection_init`. */
  connectionAuthorization?: string | null;
}

export type Yoga = YogaServerInstance<ServerContext, ServiceContext>;

/**
 * GraphQL over HTTP and SSE at /graphql, with GraphiQL for browsers. Documents over `limits`
 * are refused before anything executes; batches (JSON arrays) of up to `limits.maxBatch`
 * operations are accepted.
 */
export function createGraphQLServer(
  contextFor: ContextFactory,
  logger: Logger,
  limits: GraphQLLimits,
): Yoga {
  return createYoga<ServerContext, ServiceContext>({
    schema: getSchema(),
    graphqlEndpoint: '/graphql',
    // Uploads stream to storage instead of being read whole into memory by yoga.
    plugins: [
      useStreamingUploads(),
      useOperationLimits(limits),
      tracingPlugin(),
      usePartialDataStatus(),
    ],
    // Yoga's own check stays behind ours as a backstop; `false` when batches are refused.
    batching: limits.maxBatch > 0 && { limit: limits.maxBatch },
    landingPage: false,
    // Bounded by size, so hostile documents cannot pin memory (see document-cache.ts).
    parserAndValidationCache: {
      documentCache: createDocumentCache(),
      errorCache: createDocumentCache(),
    },
    graphiql: {
      title: 'Assistants API',
      // The key goes after "Bearer ": a placeholder there would be sent as a key.
      headers: '{"Authorization": "Bearer "}',
      defaultQuery: GRAPHIQL_DEFAULT_QUERY,
    },
    // GraphiQL's assets come inlined from this server, never from a CDN.
    renderGraphiQL: createGraphiQLRenderer(),
    logging: {
      debug: (...args) => logger.debug({ args }, 'yoga'),
      info: (...args) => logger.info({ args }, 'yoga'),
      warn: (...args) => logger.warn({ args }, 'yoga'),
      error: (...args) => logger.error({ args }, 'yoga'),
    },
    // A graphql-ws connection holds its key for long: each operation checks it afresh, so a
    // revocation stops the next operation.
    context: ({ request, logger: requestLogger, connectionAuthorization }) =>
      connectionAuthorization !== undefined
        ? contextFor(connectionAuthorization, requestLogger ?? logger, { fresh: true })
        : contextFor(request.headers.get('authorization'), requestLogger ?? logger),
  });
}
