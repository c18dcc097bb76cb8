import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { context } from '@opentelemetry/api';
import { createCompatHandler } from '../compat/index.js';
import type { Deps } from './deps.js';
import { AppError } from './errors.js';
import { mapAppError } from './graphql/errors.js';
import { graphqlLimitsFrom } from './graphql/limits/operation-limits.js';
import { getSchema } from './graphql/schema.js';
import { attachGraphQLWebSocket } from './graphql/ws.js';
import { createGraphQLServer } from './graphql/yoga.js';
import { createConsoleHandler } from './http/console-assets.js';
import { readContainerFileContent, readFileContent } from './http/file-content.js';
import { createOpsEndpoints } from './http/ops-endpoints.js';
import { type BodyLimits, createBodyBudget, readBoundedBody } from './http/request-body.js';
import { normalizeRequestTarget, refuseRequestTarget } from './http/request-target.js';
import { newId } from './ids.js';
import type { Logger } from './logger.js';
import { httpRequestDuration } from './observability/metrics.js';
import { createReadiness, type Readiness } from './observability/readiness.js';
import { methodLabel, routeTemplate } from './observability/route-template.js';
import { extractTraceContext, SpanKind, startSpan } from './observability/tracing.js';
import { createContextFactory } from './request-context.js';
import { uploadSpoolDir } from './storage/upload-spool.js';

export interface App {
  server: Server;
  /** Listens; resolves with the bound port (pass 0 for any free port). */
  start(port: number, host?: string): Promise<number>;
  /** Stops accepting, drains in-flight requests (up to `timeoutMs`), then closes the rest. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * The HTTP surface: GraphQL (HTTP, SSE, WebSocket) at /graphql, OpenAI REST at /v1, /healthz,
 * /readyz, /metrics and the web console (GET/HEAD of anything else). `readiness` is the
 * process's (main.ts drains it on SIGTERM); absent, the app is ready once listening.
 */
export function buildApp(deps: Deps, options: { readiness?: Readiness } = {}): App {
  const contextFor = createContextFactory(deps);
  const readiness = options.readiness ?? createReadiness(['server']);
  const ops = createOpsEndpoints({
    db: deps.db,
    readiness,
    metricsToken: deps.env.METRICS_TOKEN,
    isAdminKey: async (authorization) => {
      try {
        return (await contextFor(authorization, deps.logger)).actor.admin;
      } catch {
        return false;
      }
    },
  });
  const graphqlLimits = graphqlLimitsFrom(deps.env);
  const bodyLimits: BodyLimits = {
    maxBytes: deps.env.JSON_BODY_MAX_BYTES,
    budget: createBodyBudget(
      Math.max(deps.env.JSON_BODY_BUDGET_BYTES, deps.env.JSON_BODY_MAX_BYTES),
    ),
  };
  const yoga = createGraphQLServer(contextFor, deps.logger, graphqlLimits);
  const compat = createCompatHandler({
    schema: getSchema(),
    contextFor,
    requireBetaHeader: deps.env.REQUIRE_BETA_HEADER,
    readBody: (req, res) =>
      readBoundedBody(req, res, bodyLimits).catch((error: unknown) => {
        throw mapAppError(error);
      }),
    files: {
      maxUploadBytes: deps.env.FILE_MAX_BYTES,
      maxUploadPartBytes: deps.env.UPLOAD_PART_MAX_BYTES,
      spoolDir: uploadSpoolDir(deps.env.DATA_DIR),
      readContent: readFileContent,
      readContainerContent: readContainerFileContent,
    },
  });

  const serveConsole = createConsoleHandler();
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const incoming = req.headers['x-request-id'];
    const requestId =
      typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming)
        ? incoming
        : newId('request');
    res.setHeader('x-request-id', requestId);
    const logger = deps.logger.child({ requestId });
    const started = performance.now();
    const url = normalizeRequestTarget(req);
    const method = methodLabel(req.method);
    const route = url ? routeTemplate(url.pathname) : 'other';
    const { span, context: spanContext } = startSpan(`${method} ${route}`, {
      kind: SpanKind.SERVER,
      parent: extractTraceContext(req.headers),
      attributes: { 'http.request.method': method, 'http.route': route },
    });
    res.once('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      span.setAttribute('http.response.status_code', res.statusCode);
      span.end();
      httpRequestDuration.observe(
        {
          http_request_method: method,
          http_route: route,
          http_response_status_code: String(res.statusCode),
        },
        seconds,
      );
      logger.info(
        {
          method: req.method,
          url: req.url,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
        },
        'request',
      );
    });
    if (!url) {
      return refuseRequestTarget(res);
    }
    return context.with(spanContext, () => dispatch(req, res, url, logger));
  }

  async function dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    logger: Logger,
  ): Promise<void> {
    if (await ops(req, res, url.pathname)) {
      return;
    }
    if (url.pathname === '/v1' || url.pathname.startsWith('/v1/')) {
      return compat(req, res, url, logger);
    }
    const isGraphQL = url.pathname === '/graphql' || url.pathname.startsWith('/graphql/');
    if (!isGraphQL && (req.method === 'GET' || req.method === 'HEAD')) {
      return serveConsole(req, res, url);
    }
    if (!(await readGraphQLBody(req, res))) {
      return;
    }
    return yoga(req, res, { req, res, logger });
  }

  /**
   * Reads a GraphQL request's JSON body within the body limits before yoga sees it (yoga would
   * read any size), and hands it on as the parsed-body framework convention yoga's Node adapter
   * takes (`req.body`). Multipart requests stream to storage as they are (streaming-uploads.ts).
   * False when the body was refused and answered.
   */
  async function readGraphQLBody(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const type = req.headers['content-type'] ?? '';
    if (req.method === 'GET' || req.method === 'HEAD' || /^multipart\/form-data/i.test(type)) {
      return true;
    }
    try {
      const body = await readBoundedBody(req, res, bodyLimits);
      // As a stream, not the Buffer itself: yoga's Node adapter runs `Object.keys` on a parsed
      // body before looking at its type, which for a Buffer makes one string per byte (a 2 MB
      // document: 2 million strings, ~2 s of CPU and ~40 MB of garbage, the fuzz bench's peak).
      Object.assign(req, { body: Readable.from([body]) });
      return true;
    } catch (error) {
      if (!(error instanceof AppError)) {
        throw error;
      }
      const payload = JSON.stringify({
        errors: [{ message: error.message, extensions: { code: error.code } }],
      });
      res.writeHead(error.status, {
        'content-type': 'application/graphql-response+json; charset=utf-8',
        'content-length': Buffer.byteLength(payload),
      });
      res.end(payload);
      return false;
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      deps.logger.error({ err: error }, 'unhandled request error');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
      }
      res.end();
    });
  });
  // Node closes an idle keep-alive connection after 5 s by default; a client that reuses it just
  // then (its own 4 s timer late on a busy machine) gets ECONNRESET on a request that never
  // arrived. A minute, as load balancers use, makes that window rare; stop() closes idle ones.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const ws = attachGraphQLWebSocket(
    server,
    yoga,
    contextFor,
    deps.logger,
    graphqlLimits,
    bodyLimits.maxBytes,
  );

  return {
    server,
    start(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          readiness.markStarted('server');
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    async stop(timeoutMs = 10_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await ws.close();
      const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
      await closed;
      clearTimeout(timer);
    },
  };
}
