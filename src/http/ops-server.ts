import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Deps } from '../deps.js';
import type { Readiness } from '../observability/readiness.js';
import { createOpsEndpoints } from './ops-endpoints.js';

export interface OpsServer {
  /** Listens; resolves with the bound port (0: any free port). */
  start(port: number, host?: string): Promise<number>;
  stop(): Promise<void>;
}

/**
 * `/healthz`, `/readyz` and `/metrics` alone, for a worker process (it serves no API): what an
 * orchestrator probes and Prometheus scrapes. Everything else is a 404.
 */
export function createOpsServer(deps: Deps, readiness: Readiness): OpsServer {
  const endpoints = createOpsEndpoints({
    db: deps.db,
    readiness,
    metricsToken: deps.env.METRICS_TOKEN,
  });
  const server = createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    endpoints(req, res, pathname)
      .then((answered) => {
        if (!answered) {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        }
      })
      .catch((error: unknown) => {
        deps.logger.error({ err: error }, 'ops endpoint failed');
        if (!res.headersSent) {
          res.writeHead(500);
        }
        res.end();
      });
  });
  return {
    start(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    stop() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
