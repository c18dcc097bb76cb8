import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { ServiceContext } from '../src/context.js';
import type { FileContent } from '../src/http/file-content.js';
import type { OperationData, OperationRunner, RequestVariables } from './graphql.js';

export interface RouteRequest {
  params: Record<string, string>;
  /** Query string parsed with qs (`include[]=…` becomes an array). */
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  /** The raw request, for routes with `rawBody` (multipart uploads). */
  req: IncomingMessage;
  /** A `rawBody` route's JSON body, read within the server's size limit and budget. */
  readJsonBody(): Promise<Record<string, unknown>>;
  /** A file's bytes as the caller: downloads bypass GraphQL (src/http/file-content.ts). */
  fileContent(fileId: string): Promise<FileContent>;
  /** A container file's bytes as the caller, the same way. */
  containerFileContent(containerId: string, fileId: string): Promise<FileContent>;
  /** Runs a compat GraphQL operation (a document from generated/operations.ts) as the caller. */
  run: <TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: NoInfer<RequestVariables<TVariables>>,
  ) => Promise<OperationData<TResult>>;
  /** Starts a compat GraphQL subscription as the caller. */
  subscribe: <TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: NoInfer<RequestVariables<TVariables>>,
  ) => Promise<AsyncGenerator<TResult>>;
}

/** Raw bytes (a file download): streamed as they are read. */
export class BinaryResponse {
  constructor(
    readonly body: Readable,
    readonly headers: Record<string, string>,
  ) {}
}

/** A JSON body with extra response headers (e.g. `openai-poll-after-ms`). */
export class JsonResponse {
  constructor(
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path below /v1, with `:name` parameters. */
  path: string;
  /** Whether the path belongs to the Assistants beta (needs `OpenAI-Beta: assistants=v2`). */
  beta: boolean;
  /** The route reads `req` itself (multipart); no JSON body is parsed for it. */
  rawBody?: boolean;
  /** The JSON body, a `JsonResponse` when headers are needed, an `EventStream` or a `BinaryResponse`. */
  handle(request: RouteRequest): Promise<unknown>;
}

interface CompiledRoute extends Route {
  pattern: RegExp;
  names: string[];
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export function createRouter(routes: Route[]) {
  const compiled: CompiledRoute[] = routes.map((route) => {
    const names: string[] = [];
    const source = route.path.replace(/:(\w+)/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { ...route, pattern: new RegExp(`^${source}$`), names };
  });
  return {
    match(method: string, path: string): RouteMatch | null {
      for (const route of compiled) {
        if (route.method !== method) {
          continue;
        }
        const found = route.pattern.exec(path);
        if (!found) {
          continue;
        }
        const params: Record<string, string> = {};
        for (const [index, name] of route.names.entries()) {
          const value = decode(found[index + 1] ?? '');
          // A segment that is not valid percent-encoding (`%E0%A4%A`) names no resource: 404.
          if (value === null) {
            return null;
          }
          params[name] = value;
        }
        return { route, params };
      }
      return null;
    },
  };
}

/** The runner's operations, executed as the caller. */
export function bindRunner(
  runner: OperationRunner,
  context: ServiceContext,
): Pick<RouteRequest, 'run' | 'subscribe'> {
  return {
    run: (document, variables) => runner.run(document, variables, context),
    subscribe: (document, variables) => runner.subscribe(document, variables, context),
  };
}
