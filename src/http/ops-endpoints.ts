import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PrismaClient } from '../db/prisma.js';
import { registry } from '../observability/metrics.js';
import type { Readiness } from '../observability/readiness.js';

export interface OpsEndpointOptions {
  db: PrismaClient;
  readiness: Readiness;
  /** Bearer token for /metrics; absent: /metrics is off. */
  metricsToken: string | undefined;
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
 * `/metrics` (this process's Prometheus registry, for the metrics token only). Returns whether
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
      if (!options.metricsToken) {
        json(res, 404, { error: 'metrics are off: set METRICS_TOKEN to read them' });
      } else if (!tokenMatches(req.headers.authorization, options.metricsToken)) {
        res.setHeader('www-authenticate', 'Bearer');
        json(res, 401, { error: 'metrics need Authorization: Bearer <METRICS_TOKEN>' });
      } else {
        const body = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType }).end(body);
      }
      return true;
    }
    return false;
  };
}
