import { createLeaseLocks } from './db/lease-locks.js';
import type { Deps } from './deps.js';
import { createPgListener } from './events/pg-listener.js';
import { every } from './jobs/periodic.js';
import { JOB_WAKE_CHANNEL, TRACE_CONTEXT_FIELD } from './jobs/queue.js';
import { jobs } from './jobs/registry.js';
import { instrumentSandbox } from './observability/instrumented-sandbox.js';
import { instrumentToolRunner } from './observability/instrumented-tools.js';
import { extractTraceContext, SpanKind, withSpan } from './observability/tracing.js';
import { BubblewrapSandbox } from './sandbox/bwrap-sandbox.js';
import { sandboxConfigFromEnv } from './sandbox/sandbox-config.js';
import { sweepSandboxSessions } from './sandbox/sessions.js';
import { sweepExpiredContainers } from './services/containers/container-expiry.js';
import { sweepExpiredFiles } from './services/files/file-expiry.js';
import {
  sweepResponses,
  takeOverOrphanedResponses,
} from './services/responses/response-sweeper.js';
import type { EngineContext } from './services/runs/engine/engine-context.js';
import { HandBack } from './services/runs/engine/hand-back.js';
import { createBuiltinToolRunner } from './services/runs/engine/tools/builtin-runner.js';
import { RUN_SIGNAL_CHANNEL } from './services/runs/run-signals.js';
import { sweepRuns, takeOverOrphanedRuns } from './services/runs/run-sweeper.js';
import { sweepUploads } from './services/uploads/upload-expiry.js';
import { sweepVectorStores } from './services/vector-stores/vector-store-expiry.js';
import { sweepPartialWrites } from './storage/partial-sweep.js';
import { localStorageRoot } from './storage/storage-from-env.js';
import { sweepUploadSpool, uploadSpoolDir } from './storage/upload-spool.js';

export interface Worker {
  /**
   * Drains: claims nothing new, lets runs in flight finish for up to SHUTDOWN_TIMEOUT_MS, then
   * hands the rest back (another worker continues them at once) and closes its connections.
   */
  stop(): Promise<void>;
}

/** How long handed-back executions (and other jobs) get to wind down after the drain window. */
const HAND_BACK_WAIT_MS = 5000;

/** Resolves when every promise settled or after `ms`, whichever is first. */
async function settledWithin(promises: Iterable<Promise<unknown>>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled([...promises]),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Runs jobs from pg-boss. Idle workers are woken by NOTIFY from the enqueuing transaction (a few
 * ms) rather than pg-boss's poll; cancel and expiry signals abort the upstream call at once; a
 * sweep expires overdue runs and takes over runs whose worker died. Any number may run.
 */
export async function startWorker(deps: Deps): Promise<Worker> {
  const { env, logger, boss } = deps;
  const watched = new Map<string, Set<AbortController>>();
  const inFlight = new Set<Promise<void>>();
  // Named after the process, so pg_stat_activity (joined with pg_locks) tells who runs a run.
  const leases = await createLeaseLocks(
    deps.database.url,
    logger,
    `assistants-worker pid=${String(process.pid)}`,
  );
  const sandboxConfig = sandboxConfigFromEnv(env);
  const sandbox = instrumentSandbox(new BubblewrapSandbox(sandboxConfig));
  void sandbox
    .available()
    .then((availability) =>
      availability.ok
        ? logger.info(
            { python: availability.pythonVersion, missingPackages: availability.missingPackages },
            'code sandbox ready',
          )
        : logger.warn(
            { reason: availability.reason },
            'code sandbox unavailable: code_interpreter calls will report it',
          ),
    );
  const codeInterpreter = {
    sandbox,
    workDir: sandboxConfig.workDir,
    exportQuota: sandboxConfig.exportQuota,
  };
  const engine: EngineContext = {
    db: deps.db,
    logger,
    jobs: deps.jobs,
    model: deps.model,
    runEvents: deps.runEvents,
    responseEvents: deps.responseEvents,
    storage: deps.storage,
    retrieval: deps.retrieval,
    settings: {
      ...deps.settings,
      runHeartbeatMs: env.RUN_HEARTBEAT_MS,
      runStaleAfterMs: env.RUN_STALE_AFTER_MS,
      streamFlushMs: env.STREAM_FLUSH_MS,
    },
    builtinTools: instrumentToolRunner(createBuiltinToolRunner(codeInterpreter)),
    codeInterpreter,
    leases,
    watchRun(runId, controller) {
      const set = watched.get(runId) ?? new Set();
      set.add(controller);
      watched.set(runId, set);
      return () => {
        set.delete(controller);
        if (set.size === 0) {
          watched.delete(runId);
        }
      };
    },
  };

  // pg-boss hands one job per fetch to each registered worker: registering several gives
  // concurrency. A slot that finished a job fetches again at once (instead of sleeping until its
  // next poll), so a backlog drains while any slot is awake; a NOTIFY then only needs to wake one
  // idle slot. Waking every slot for every job cost WORKER_CONCURRENCY fetch queries per run.
  interface Slot {
    id: string | null;
    busy: boolean;
  }
  const slotsByJob = new Map<string, Slot[]>();
  for (const job of jobs) {
    const slots: Slot[] = [];
    slotsByJob.set(job.definition.name, slots);
    for (let index = 0; index < env.WORKER_CONCURRENCY; index += 1) {
      const slot: Slot = { id: null, busy: false };
      slots.push(slot);
      slot.id = await boss.work(
        job.definition.name,
        { batchSize: 1, pollingIntervalSeconds: 2 },
        async ([item]) => {
          if (!item) {
            return;
          }
          slot.busy = true;
          const name = job.definition.name;
          const data = item.data as Record<string, unknown>;
          const handled = withSpan(
            `process ${name}`,
            {
              kind: SpanKind.CONSUMER,
              parent: extractTraceContext(data[TRACE_CONTEXT_FIELD]),
              attributes: { 'messaging.system': 'pg-boss', 'messaging.destination.name': name },
            },
            () => job.handle(engine, job.definition.schema.parse(data)),
          );
          inFlight.add(handled);
          try {
            await handled;
          } finally {
            inFlight.delete(handled);
            slot.busy = false;
            if (slot.id) {
              boss.notifyWorker(slot.id);
            }
          }
        },
      );
    }
  }

  // Round-robin, so wake-ups arriving before the woken slot has its job go to different slots.
  let nextSlot = 0;
  const wakeOne = (name: string) => {
    const slots = slotsByJob.get(name) ?? [];
    for (let offset = 0; offset < slots.length; offset += 1) {
      const index = (nextSlot + offset) % slots.length;
      const slot = slots[index];
      if (slot?.id && !slot.busy) {
        nextSlot = index + 1;
        boss.notifyWorker(slot.id);
        return;
      }
    }
    // Every slot is busy: each fetches again as soon as its job is done.
  };
  const wakeAll = () => {
    for (const slot of [...slotsByJob.values()].flat()) {
      if (slot.id) {
        boss.notifyWorker(slot.id);
      }
    }
  };
  // After a reconnect, wake-ups sent meanwhile are lost: wake everyone once.
  const listener = await createPgListener(deps.database.url, logger, wakeAll);
  listener.on(JOB_WAKE_CHANNEL, wakeOne);
  listener.on(RUN_SIGNAL_CHANNEL, (runId) => {
    for (const controller of watched.get(runId) ?? []) {
      controller.abort();
    }
  });

  // A dead worker's lease locks are free the moment PostgreSQL sees it gone: looking every
  // RUN_TAKEOVER_CHECK_MS lets its runs continue within about that, not the stale window.
  const takeoverCheck = every(env.RUN_TAKEOVER_CHECK_MS, () => {
    const staleBefore = new Date(Date.now() - env.RUN_STALE_AFTER_MS);
    return takeOverOrphanedRuns(deps.db, deps.jobs, { staleBefore })
      .then((resumed) => {
        if (resumed.length > 0) {
          logger.info({ resumed }, 'taking over runs whose worker is gone');
        }
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'takeover check failed'))
      .then(() => takeOverOrphanedResponses(deps.db, deps.jobs, { staleBefore }))
      .then((resumed) => {
        if (resumed.length > 0) {
          logger.info({ responses: resumed }, 'taking over responses whose worker is gone');
        }
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'response takeover check failed'));
  });

  const sweep = every(env.RUN_SWEEP_INTERVAL_MS, () =>
    sweepRuns(deps.db, deps.jobs, { staleAfterMs: env.RUN_STALE_AFTER_MS })
      .then((result) => {
        if (result.expired.length > 0 || result.resumed.length > 0) {
          logger.info(result, 'swept runs');
        }
      })
      .catch((error: unknown) => logger.error({ err: error }, 'run sweep failed'))
      // Responses expire and are taken over as runs are.
      .then(() => sweepResponses(deps.db, deps.jobs, { staleAfterMs: env.RUN_STALE_AFTER_MS }))
      .then((result) => {
        if (result.expired.length > 0 || result.resumed.length > 0) {
          logger.info({ responses: result }, 'swept responses');
        }
      })
      .catch((error: unknown) => logger.error({ err: error }, 'response sweep failed'))
      // Vector stores expire in days: marking them on the same timer costs one indexed read.
      .then(() => sweepVectorStores(deps.db))
      .then(({ expired }) => {
        if (expired.length > 0) {
          logger.info({ vectorStores: expired }, 'expired vector stores');
        }
      })
      .catch((error: unknown) => logger.error({ err: error }, 'vector store sweep failed'))
      // Files with expires_after (batch files: 30 days) are deleted, bytes included.
      .then(() => sweepExpiredFiles(deps))
      .then(({ deleted }) => {
        if (deleted.length > 0) {
          logger.info({ files: deleted }, 'deleted expired files');
        }
      })
      .catch((error: unknown) => logger.error({ err: error }, 'file expiry sweep failed'))
      // Containers idle past their window (20 minutes by default) expire, bytes removed.
      .then(() => sweepExpiredContainers(deps))
      .then(({ expired }) => {
        if (expired.length > 0) {
          logger.info({ containers: expired }, 'expired containers');
        }
      })
      .catch((error: unknown) => logger.error({ err: error }, 'container expiry sweep failed'))
      // Uploads pending past their hour expire; parts of ended uploads are deleted.
      .then(() => sweepUploads(deps))
      .then((result) => {
        if (result.expired.length > 0 || result.partsRemoved > 0) {
          logger.info(result, 'swept uploads');
        }
      })
      .catch((error: unknown) => logger.error({ err: error }, 'upload sweep failed'))
      // Local writes a crash interrupted stay in `.partial` forever otherwise.
      .then(() => (deps.storage.kind === 'local' ? sweepPartialWrites(localStorageRoot(env)) : []))
      .then((removed) => {
        if (removed.length > 0) {
          logger.info({ partials: removed }, 'removed abandoned partial writes');
        }
      })
      .catch((error: unknown) => logger.error({ err: error }, 'partial write sweep failed'))
      // REST uploads a killed server was spooling stay in DATA_DIR/spool forever otherwise.
      .then(() => sweepUploadSpool(uploadSpoolDir(env.DATA_DIR)))
      .then((removed) => {
        if (removed.length > 0) {
          logger.info({ spoolFiles: removed }, 'removed abandoned upload spool files');
        }
      })
      .catch((error: unknown) => logger.error({ err: error }, 'upload spool sweep failed'))
      // Sessions of runs that ended without their worker (expired, cancelled while waiting for
      // tool outputs, a dead worker): untouched for twice a run's lifetime, they can go.
      .then(() =>
        sweepSandboxSessions(sandboxConfig.workDir, 2 * env.RUN_EXPIRES_AFTER_SECONDS * 1000),
      )
      .catch((error: unknown) => logger.error({ err: error }, 'sandbox session sweep failed')),
  );

  logger.info({ jobs: jobs.map((job) => job.definition.name) }, 'worker started');
  return {
    async stop() {
      // Sweeps first: one in progress finishes, none starts while the worker drains and closes.
      await Promise.all([sweep.stop(), takeoverCheck.stop()]);
      // Claim nothing new; jobs already fetched run on, within the drain window.
      for (const slot of [...slotsByJob.values()].flat()) {
        if (slot.id) {
          await boss.offWork({ id: slot.id });
        }
      }
      if (inFlight.size > 0) {
        logger.info({ jobs: inFlight.size }, 'draining: waiting for jobs in flight');
        await settledWithin(inFlight, env.SHUTDOWN_TIMEOUT_MS);
      }
      if (watched.size > 0) {
        logger.info({ runs: [...watched.keys()] }, 'handing back runs not finished in time');
        for (const controllers of watched.values()) {
          for (const controller of controllers) {
            controller.abort(new HandBack());
          }
        }
        await settledWithin(inFlight, HAND_BACK_WAIT_MS);
      }
      await listener.close();
      await leases.close();
    },
  };
}
