import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PrismaClient } from '../db/prisma.js';
import { registry } from '../observability/metrics.js';
import type { Readiness } from '../observability/readiness.js';

export interface OpsEndpointOptions {
  db: PrismaClient;
  readiness: Readiness;
  /** Bearer token for /metrics. */
  metricsToken: string | undefined;
  /**
   * Whether an `Authorization` header holds an admin API key, where this process serves the API
   * (a worker's ops port has no keys to check). With neither this nor a token, /metrics is off.
   */
  isAdminKey?: (authorization: string | null) => Promise<boolean>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function tokenMatches(authorization: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim() ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * `/healthz` (the process is alive: no dependency is asked, so a slow database never gets a
 * live process restarted), `/readyz` (see `Readiness`: 503 until ready and while draining) and
 * `/metrics` (this process's Prometheus registry, for the metrics token or an admin key). Returns whether
 * it answered the request: the server and the worker's own ops port share these.
 */
export function createOpsEndpoints(
  options: OpsEndpointOptions,
): (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean> {
  return async (req, res, pathname) => {
    if (pathname === '/healthz') {
      json(res, 200, { status: 'ok' });
      return true;
    }
    if (pathname === '/readyz') {
      const report = await options.readiness.check(options.db);
      json(res, report.ready ? 200 : 503, {
        status: report.ready ? 'ready' : 'unavailable',
        checks: report.checks,
      });
      return true;
    }
    if (pathname === '/metrics') {
      const authorization = req.headers.authorization ?? null;
      if (!options.metricsToken && !options.isAdminKey) {
        json(res, 404, { error: 'metrics are off: set METRICS_TOKEN to read them' });
      } else if (
        !(options.metricsToken && tokenMatches(authorization ?? undefined, options.metricsToken)) &&
        !(await options.isAdminKey?.(authorization))
      ) {
        res.setHeader('www-authenticate', 'Bearer');
        json(res, 401, {
          error: 'metrics need Authorization: Bearer <METRICS_TOKEN> or an admin API key',
        });
      } else {
        const body = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType }).end(body);
      }
      return true;
    }
    return false;
  };
}
