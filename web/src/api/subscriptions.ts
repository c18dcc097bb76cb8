import { type Client, createClient } from 'graphql-ws';
import type { TypedDocumentString } from '../generated/graphql.js';
import { type GraphQLErrorItem, GraphQLRequestError } from './graphql-request.js';

let client: { apiKey: string; ws: Client } | null = null;

/** The one graphql-ws connection of the tab, opened lazily, authenticated in connection_init. */
function socket(apiKey: string): Client {
  if (client?.apiKey !== apiKey) {
    client?.ws.dispose();
    const url = new URL('/graphql', window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    client = {
      apiKey,
      ws: createClient({
        url: url.toString(),
        connectionParams: { authorization: `Bearer ${apiKey}` },
        lazy: true,
        retryAttempts: 5,
      }),
    };
  }
  return client.ws;
}

/** Closes the connection (sign out). */
export function closeSubscriptions(): void {
  client?.ws.dispose();
  client = null;
}

export interface SubscriptionHandlers<R> {
  next(data: R): void;
  error(error: Error): void;
  complete(): void;
}

/** Subscribes over graphql-ws; returns the unsubscribe function. */
export function subscribe<R, V extends Record<string, unknown>>(
  apiKey: string,
  document: TypedDocumentString<R, V>,
  variables: V,
  handlers: SubscriptionHandlers<R>,
): () => void {
  return socket(apiKey).subscribe<R>(
    { query: document.toString(), variables },
    {
      next: (result) => {
        if (result.errors?.length) {
          handlers.error(new GraphQLRequestError(result.errors as GraphQLErrorItem[], 200));
        } else if (result.data) {
          handlers.next(result.data);
        }
      },
      error: (error) => {
        handlers.error(
          error instanceof Error
            ? error
            : new GraphQLRequestError(
                Array.isArray(error)
                  ? (error as GraphQLErrorItem[])
                  : [{ message: 'Connection closed' }],
                0,
              ),
        );
      },
      complete: handlers.complete,
    },
  );
}
