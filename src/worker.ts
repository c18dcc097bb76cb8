import type { Deps } from './deps.js';
import { createPgListener } from './events/pg-listener.js';
import { JOB_WAKE_CHANNEL } from './jobs/queue.js';
import { jobs } from './jobs/registry.js';
import { BubblewrapSandbox } from './sandbox/bwrap-sandbox.js';
import { sandboxConfigFromEnv } from './sandbox/sandbox-config.js';
import { sweepSandboxSessions } from './sandbox/sessions.js';
import { sweepExpiredFiles } from './services/files/file-expiry.js';
import type { EngineContext } from './services/runs/engine/engine-context.js';
import { createBuiltinToolRunner } from './services/runs/engine/tools/builtin-runner.js';
import { RUN_SIGNAL_CHANNEL } from './services/runs/run-signals.js';
import { sweepRuns } from './services/runs/run-sweeper.js';
import { sweepUploads } from './services/uploads/upload-expiry.js';
import { sweepVectorStores } from './services/vector-stores/vector-store-expiry.js';
import { sweepPartialWrites } from './storage/partial-sweep.js';
import { localStorageRoot } from './storage/storage-from-env.js';
import { sweepUploadSpool, uploadSpoolDir } from './storage/upload-spool.js';

export interface Worker {
  stop(): Promise<void>;
}

/**
 * Runs jobs from pg-boss. Idle workers are woken by NOTIFY from the enqueuing transaction (a few
 * ms) rather than pg-boss's poll; cancel and expiry signals abort the upstream call at once; a
 * sweep expires overdue runs and takes over runs whose worker died. Any number may run.
 */
export async function startWorker(deps: Deps): Promise<Worker> {
  const { env, logger, boss } = deps;
  const watched = new Map<string, Set<AbortController>>();
  const sandboxConfig = sandboxConfigFromEnv(env);
  const sandbox = new BubblewrapSandbox(sandboxConfig);
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
  const engine: EngineContext = {
    db: deps.db,
    logger,
    jobs: deps.jobs,
    model: deps.model,
    runEvents: deps.runEvents,
    storage: deps.storage,
    retrieval: deps.retrieval,
    settings: {
      ...deps.settings,
      runHeartbeatMs: env.RUN_HEARTBEAT_MS,
      runStaleAfterMs: env.RUN_STALE_AFTER_MS,
      streamFlushMs: env.STREAM_FLUSH_MS,
    },
    builtinTools: createBuiltinToolRunner({
      sandbox,
      workDir: sandboxConfig.workDir,
      exportQuota: sandboxConfig.exportQuota,
    }),
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
          try {
            await job.handle(engine, job.definition.schema.parse(item.data));
          } finally {
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

  let sweeping = false;
  const sweep = setInterval(() => {
    if (sweeping) {
      return;
    }
    sweeping = true;
    sweepRuns(deps.db, deps.jobs, { staleAfterMs: env.RUN_STALE_AFTER_MS })
      .then((result) => {
        if (result.expired.length > 0 || result.resumed.length > 0) {
          logger.info(result, 'swept runs');
        }
      })
      .catch((error: unknown) => logger.error({ err: error }, 'run sweep failed'))
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
      .catch((error: unknown) => logger.error({ err: error }, 'sandbox session sweep failed'))
      .finally(() => {
        sweeping = false;
      });
  }, env.RUN_SWEEP_INTERVAL_MS);

  logger.info({ jobs: jobs.map((job) => job.definition.name) }, 'worker started');
  return {
    async stop() {
      clearInterval(sweep);
      await listener.close();
      for (const slot of [...slotsByJob.values()].flat()) {
        if (slot.id) {
          await boss.offWork({ id: slot.id });
        }
      }
    },
  };
}
