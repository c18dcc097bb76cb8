import type { Server } from 'node:http';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from '../logger.js';
import type { ContextFactory } from '../request-context.js';
import type { Yoga } from './yoga.js';

/** `Authorization` from the connection_init payload: `{ authorization: 'Bearer …' }`. */
function authorizationFrom(params: Readonly<Record<string, unknown>> | undefined): string | null {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : null;
}

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/**
 * graphql-ws on the same server and path as yoga, running operations through yoga's envelope
 * (same schema, context, masking). A connection without a valid key is closed at
 * `connection_init` (4403 Forbidden), before any operation.
 */
export function attachGraphQLWebSocket(
  server: Server,
  yoga: Yoga,
  contextFor: ContextFactory,
  logger: Logger,
): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      onConnect: async (ctx) => {
        try {
          await contextFor(authorizationFrom(ctx.connectionParams), logger, { fresh: true });
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          req: ctx.extra.request,
          res: undefined as never,
          logger,
          connectionAuthorization: authorizationFrom(ctx.connectionParams),
        });
        const document = parse(payload.query);
        const errors = validate(schema, document);
        if (errors.length > 0) {
          return errors;
        }
        let contextValue: Awaited<ReturnType<typeof contextFactory>>;
        try {
          contextValue = await contextFactory();
        } catch (error) {
          // The key was valid at connection_init but no longer is (revoked since). Thrown, this
          // became graphql-ws' "internal error" (close 4500, logged); returned, the client gets
          // the operation's UNAUTHENTICATED error, as over HTTP.
          if (error instanceof GraphQLError) {
            return [error];
          }
          throw error;
        }
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
      },
    },
    wss,
  );
  return {
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
