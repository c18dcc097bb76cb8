import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { GraphQLSchema } from 'graphql';
import { GraphQLError } from 'graphql';
import qs from 'qs';
import type { ContainerFileContentReader, FileContentReader } from '../src/http/file-content.js';
import type { Logger } from '../src/logger.js';
import type { ContextFactory } from '../src/request-context.js';
import { fromGraphQLError, RestError } from './errors.js';
import { createOperationRunner } from './graphql.js';
import { parseJsonBody, sendJson } from './http.js';
import { BinaryResponse, bindRunner, createRouter, JsonResponse } from './router.js';
import { adminApiKeyRoutes } from './routes/admin-api-keys.js';
import { adminAuditLogRoutes } from './routes/admin-audit-logs.js';
import { adminLimitRoutes } from './routes/admin-limits.js';
import { adminProjectRoutes } from './routes/admin-projects.js';
import { adminUsageRoutes } from './routes/admin-usage.js';
import { assistantRoutes } from './routes/assistants.js';
import { containerRoutes } from './routes/containers.js';
import { conversationRoutes } from './routes/conversations.js';
import { fileRoutes } from './routes/files.js';
import { messageRoutes } from './routes/messages.js';
import { responseRoutes } from './routes/responses.js';
import { runRoutes } from './routes/runs.js';
import { threadRoutes } from './routes/threads.js';
import { uploadRoutes } from './routes/uploads.js';
import { vectorStoreSearchRoutes } from './routes/vector-store-search.js';
import { vectorStoreRoutes } from './routes/vector-stores.js';
import { assertStorableText } from './storable-text.js';
import { EventStream, writeEventStream } from './stream.js';

export interface CompatOptions {
  schema: GraphQLSchema;
  contextFor: ContextFactory;
  /** Require `OpenAI-Beta: assistants=v2` on Assistants paths, as OpenAI did. */
  requireBetaHeader: boolean;
  /**
   * Reads a JSON route's body whole, within the server's size limit and its budget of body
   * bytes in flight; throws a GraphQL error with the status (413, 503) when refused.
   */
  readBody: (req: IncomingMessage, res: ServerResponse) => Promise<Buffer>;
  files: {
    /** FILE_MAX_BYTES: an upload is spooled up to this (+1) before it is handed on. */
    maxUploadBytes: number;
    /** UPLOAD_PART_MAX_BYTES: an upload part is spooled up to this (+1) the same way. */
    maxUploadPartBytes: number;
    /** Where uploads are spooled (`<DATA_DIR>/spool`, swept by the worker). */
    spoolDir: string;
    /** Reads a file's bytes for `GET /files/{id}/content` (binary does not fit GraphQL). */
    readContent: FileContentReader;
    /** Reads a container file's bytes for `GET /containers/{id}/files/{file_id}/content`. */
    readContainerContent: ContainerFileContentReader;
  };
}

const BETA_MESSAGE =
  "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try again by setting the header 'OpenAI-Beta: assistants=v2'.";

/**
 * OpenAI's REST surface under /v1: each route maps the request onto one GraphQL operation,
 * runs it in process as the caller, and renders OpenAI's JSON.
 */
export function createCompatHandler(options: CompatOptions) {
  const runner = createOperationRunner(options.schema);
  // Runs first: `POST /threads/runs` must not be taken for `POST /threads/:thread_id`.
  const router = createRouter([
    ...runRoutes,
    ...responseRoutes,
    ...conversationRoutes,
    ...assistantRoutes,
    ...threadRoutes,
    ...messageRoutes,
    ...fileRoutes(options.files),
    ...containerRoutes(options.files),
    ...uploadRoutes({
      maxPartBytes: options.files.maxUploadPartBytes,
      spoolDir: options.files.spoolDir,
    }),
    ...vectorStoreRoutes,
    ...vectorStoreSearchRoutes,
    ...adminProjectRoutes,
    ...adminApiKeyRoutes,
    ...adminAuditLogRoutes,
    ...adminUsageRoutes,
    ...adminLimitRoutes,
  ]);

  return async function handleCompat(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    logger: Logger,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/^\/v1/, '') || '/';
    // What the services add (`x-ratelimit-*`, `retry-after`) goes on success and error alike.
    const responseHeaders: Record<string, string> = {};
    const withServiceHeaders = () => {
      for (const [name, value] of Object.entries(responseHeaders)) {
        res.setHeader(name, value);
      }
    };
    try {
      const match = router.match(method, path);
      if (!match) {
        throw new RestError(404, `Invalid URL (${method} ${url.pathname})`);
      }
      const context = {
        ...(await options.contextFor(req.headers.authorization ?? null, logger)),
        responseHeaders,
      };
      if (match.route.beta && options.requireBetaHeader) {
        const beta = req.headers['openai-beta'];
        if (typeof beta !== 'string' || !beta.includes('assistants=v2')) {
          throw new RestError(400, BETA_MESSAGE, { code: 'invalid_beta' });
        }
      }
      const body =
        method === 'POST' && !match.route.rawBody
          ? parseJsonBody(await options.readBody(req, res))
          : {};
      const query = qs.parse(url.search.slice(1), { depth: 2, arrayLimit: 100 });
      for (const input of [match.params, query, body]) {
        assertStorableText(input);
      }
      const result = await match.route.handle({
        params: match.params,
        query,
        body,
        req,
        readJsonBody: async () => parseJsonBody(await options.readBody(req, res)),
        fileContent: (fileId) => options.files.readContent(context, fileId),
        containerFileContent: (containerId, fileId) =>
          options.files.readContainerContent(context, containerId, fileId),
        ...bindRunner(runner, context),
      });
      withServiceHeaders();
      if (result instanceof BinaryResponse) {
        res.writeHead(200, result.headers);
        // Once headers are out an error can only cut the response short (pipeline destroys it).
        await pipeline(result.body, res).catch((error: unknown) => {
          logger.warn({ err: error }, 'download ended early');
        });
        return;
      }
      if (result instanceof EventStream) {
        await writeEventStream(res, result);
        return;
      }
      if (result instanceof JsonResponse) {
        for (const [name, value] of Object.entries(result.headers)) {
          res.setHeader(name, value);
        }
        sendJson(res, 200, result.body);
      } else {
        sendJson(res, 200, result);
      }
    } catch (error) {
      const restError =
        error instanceof RestError
          ? error
          : error instanceof GraphQLError
            ? fromGraphQLError(error)
            : null;
      if (!restError) {
        logger.error({ err: error }, 'unhandled error in REST route');
        sendJson(
          res,
          500,
          new RestError(500, 'The server had an error while processing your request.', {
            type: 'server_error',
          }).toEnvelope(),
        );
        return;
      }
      withServiceHeaders();
      sendJson(res, restError.status, restError.toEnvelope());
    }
  };
}
