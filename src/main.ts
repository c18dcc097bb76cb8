import { buildApp } from './app.js';
import { createDeps } from './deps.js';
import { EnvError, parseEnv } from './env.js';
import { createOpsServer } from './http/ops-server.js';
import { createLogger } from './logger.js';
import { createReadiness, type ReadinessPart } from './observability/readiness.js';
import { startTracing } from './observability/tracing.js';
import { bootstrapApiKeys } from './services/auth/projects.js';
import { startWorker } from './worker.js';

type Role = 'all' | 'server' | 'worker';

function roleFromArgs(args: string[]): Role {
  const flag = args.find((arg) => arg.startsWith('--role='));
  const role = flag?.slice('--role='.length) ?? 'all';
  if (role !== 'all' && role !== 'server' && role !== 'worker') {
    throw new EnvError(`--role must be all, server or worker (got '${role}')`);
  }
  return role;
}

/** Process entry: env → deps → server and/or worker → graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let env: ReturnType<typeof parseEnv>;
  let role: Role;
  try {
    env = parseEnv();
    role = roleFromArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(env.LOG_LEVEL);
  const stops: (() => Promise<void>)[] = [];
  const parts: ReadinessPart[] = role === 'all' ? ['server', 'worker'] : [role];
  const readiness = createReadiness(parts);
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    // Stopped last (pushed first), so the spans of the shutdown itself are flushed too.
    stops.push(
      startTracing({
        endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
        recordContent: env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT,
        serviceName: role === 'all' ? 'assistants' : `assistants-${role}`,
      }),
    );
  }
  // Listen for signals before anything starts, so a SIGTERM during startup is a clean stop too.
  // `on`, not `once`: tsx exits with 143 when it sees no listener left while we still drain.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    // First: /readyz answers 503 from now on, so load balancers stop sending work here.
    readiness.startDraining();
    logger.info({ signal }, 'shutting down');
    let clean = true;
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        // Keep stopping the rest (the database last); report it in the exit code.
        clean = false;
        logger.error({ err: error }, 'error while shutting down');
      }
    }
    logger.info('stopped');
    process.exit(clean ? 0 : 1);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const deps = await createDeps(env, logger);
  stops.push(() => deps.close());
  if (role === 'worker' && env.OPS_PORT !== undefined) {
    // The worker's health and metrics, answered (503 while draining) until all else stopped.
    const ops = createOpsServer(deps, readiness);
    const port = await ops.start(env.OPS_PORT, env.HOST);
    logger.info({ port, host: env.HOST }, 'ops endpoints listening');
    stops.splice(stops.length - 1, 0, () => ops.stop());
  }

  if (role !== 'worker') {
    const { generated } = await bootstrapApiKeys(deps.db, env.API_KEYS, logger);
    if (generated) {
      // The only time this key is ever shown: only its hash is stored.
      process.stderr.write(
        `\nNo API key existed, so one was created for the default project:\n\n    ${generated.key}\n\nStore it now; it will not be shown again.\n\n`,
      );
      logger.warn(
        { apiKeyId: generated.id },
        'generated the first API key (printed once to stderr)',
      );
    }
    const app = buildApp(deps, { readiness });
    const port = await app.start(env.PORT, env.HOST);
    logger.info({ port, host: env.HOST }, 'server listening');
    stops.push(() => app.stop(env.SHUTDOWN_TIMEOUT_MS));
  }
  if (role !== 'server') {
    const worker = await startWorker(deps);
    readiness.markStarted('worker');
    stops.push(() => worker.stop());
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
