import type { Server } from 'node:http';
import { type DocumentNode, type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from '../logger.js';
import type { ContextFactory } from '../request-context.js';
import { checkExecution, type GraphQLLimits } from './limits/operation-limits.js';
import type { Yoga } from './yoga.js';

/** `Authorization` from the connection_init payload: `{ authorization: 'Bearer …' }`. */
function authorizationFrom(params: Readonly<Record<string, unknown>> | undefined): string | null {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : null;
}

/** A GraphQL error as the operation's answer (an `error` message); anything else is rethrown. */
function operationErrors(error: unknown): GraphQLError[] {
  if (error instanceof GraphQLError) {
    return [error];
  }
  throw error;
}

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/**
 * graphql-ws on the same server and path as yoga, running operations through yoga's envelope
 * (same schema, context, masking, and `limits`, which yoga's parse and validate enforce). A
 * connection without a valid key is closed at `connection_init` (4403 Forbidden), before any
 * operation. A message over `maxMessageBytes` (JSON_BODY_MAX_BYTES, as for HTTP bodies) closes
 * the connection (1009), where ws would otherwise take up to 100 MB.
 */
export function attachGraphQLWebSocket(
  server: Server,
  yoga: Yoga,
  contextFor: ContextFactory,
  logger: Logger,
  limits: GraphQLLimits,
  maxMessageBytes: number,
): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: maxMessageBytes });
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
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          // A syntax error (or a document over the token limit) thrown from here closed the whole
          // socket (4500); returned, it answers this operation only, as validation errors do.
          return operationErrors(error);
        }
        const errors = validate(schema, document);
        if (errors.length > 0) {
          return errors;
        }
        // Yoga's envelope checks this again before executing, where it can only answer with a
        // result; checked here, a cost over the limit with these variables is an `error` message,
        // like the other limits.
        const refused = checkExecution(
          schema,
          document,
          payload.operationName,
          payload.variables,
          limits,
        );
        if (refused.length > 0) {
          return refused;
        }
        let contextValue: Awaited<ReturnType<typeof contextFactory>>;
        try {
          contextValue = await contextFactory();
        } catch (error) {
          // The key was valid at connection_init but no longer is (revoked since). Thrown, this
          // became graphql-ws' "internal error" (close 4500, logged); returned, the client gets
          // the operation's UNAUTHENTICATED error, as over HTTP.
          return operationErrors(error);
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
