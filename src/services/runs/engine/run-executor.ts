import { randomUUID } from 'node:crypto';
import { inTransaction } from '../../../db/db.js';
import { executeRunJob } from '../../../jobs/execute-run.js';
import type { Logger } from '../../../logger.js';
import { ModelError } from '../../../models/chat-model.js';
import { isAbortError } from '../../../models/openai-chat-model.js';
import { runQueueTime } from '../../../observability/metrics.js';
import { withSpan } from '../../../observability/tracing.js';
import type { AssistantTool } from '../../assistants/assistant-tools.js';
import { isTerminal } from '../run-status.js';
import { discardUnfinishedOutput } from '../store/output-writes.js';
import { endRun } from '../store/run-endings.js';
import { hasLiveOwner } from '../store/run-ownership.js';
import { claimRun, letGo as letGoOfRun, heartbeat as proveAlive } from '../store/run-writes.js';
import type { EngineContext } from './engine-context.js';
import { toEngineRun } from './engine-run.js';
import { HandBack } from './hand-back.js';
import { type Generation, generate } from './run-generation.js';
import { enabledBuiltins } from './tools/definitions.js';

/**
 * Takes the run with a fresh lease (see `claimRun`), announcing in_progress. The lease's lock is
 * taken first: a claimed run whose lock is free looks abandoned to every other worker.
 */
async function claim(deps: EngineContext, runId: string) {
  const leaseId = randomUUID();
  const now = new Date();
  const staleBefore = new Date(now.getTime() - deps.settings.runStaleAfterMs);
  await deps.leases.hold(leaseId);
  try {
    const claimed = await withSpan(
      'run.claim',
      { attributes: { 'assistants.run.id': runId } },
      () => claimRun(deps.db, runId, { leaseId, now, staleBefore, publisher: deps.runEvents }),
    );
    if (claimed) {
      if (!claimed.resumed) {
        runQueueTime.observe((now.getTime() - claimed.run.createdAt.getTime()) / 1000);
      }
      return { leaseId, ...claimed };
    }
  } catch (error) {
    await deps.leases.release(leaseId);
    throw error;
  }
  await deps.leases.release(leaseId);
  return null;
}

/**
 * Moves a run forward by one model call: claim it, build its context, stream the upstream
 * completion into a message and/or tool calls, and end in `completed`, `incomplete`,
 * `requires_action` or `failed`. Idempotent: a run in any other state is left alone.
 */
export async function executeRun(deps: EngineContext, runId: string): Promise<void> {
  const claimed = await claim(deps, runId);
  if (!claimed) {
    await finishUnclaimable(deps, runId);
    return;
  }
  const { leaseId, run } = claimed;
  // Every line logged about this run from here on, the tools' and the writers' too, names it.
  const logger = deps.logger.child({ runId, threadId: run.threadId });
  const runDeps: EngineContext = { ...deps, logger };
  // Output exists only from an earlier execution, and every execution first sets startedAt.
  if (claimed.resumed) {
    await discardUnfinishedOutput(runDeps.db, runId);
  }

  const controller = new AbortController();
  const unwatch = runDeps.watchRun(runId, controller);
  const heartbeat = setInterval(() => {
    proveAlive(runDeps.db, runId, leaseId)
      .then((alive) => {
        // Cancelled, expired or taken over while we were generating: stop at once.
        if (!alive) {
          controller.abort();
        }
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'run heartbeat failed'));
  }, runDeps.settings.runHeartbeatMs);

  const state: Generation = { usage: null, writers: [] };
  // Known once the row is parsed: a corrupt one fails inside the try, so the run is let go.
  let tools: AssistantTool[] = [];
  try {
    const claimed = toEngineRun(run, leaseId);
    tools = claimed.tools;
    state.usage = claimed.usage;
    await generate(runDeps, claimed, controller.signal, state, logger);
  } catch (error) {
    try {
      await endAfterError(runDeps, { runId, leaseId }, error, { controller, state, logger });
    } catch (failure) {
      // The job is retried. Let go of the run first, so the retry can take it over (or finish
      // a cancel) at once instead of waiting for this execution's heartbeat to go stale.
      clearInterval(heartbeat);
      await letGo(runDeps, runId, leaseId, logger);
      throw failure;
    }
  } finally {
    clearInterval(heartbeat);
    unwatch();
    await deps.leases.release(leaseId);
    if (enabledBuiltins(tools).size > 0) {
      await releaseIfEnded(runDeps, runId, logger);
    }
  }
}

/**
 * Ends a run whose generation threw: cancelled when the caller asked to stop, failed on a model
 * error. Anything else (database, network trouble) is thrown for pg-boss to retry.
 */
async function endAfterError(
  deps: EngineContext,
  { runId, leaseId }: { runId: string; leaseId: string },
  error: unknown,
  { controller, state, logger }: { controller: AbortController; state: Generation; logger: Logger },
): Promise<void> {
  for (const writer of state.writers) {
    await writer.settle();
  }
  const status = (await deps.db.run.findUnique({ where: { id: runId }, select: { status: true } }))
    ?.status;
  if (controller.signal.reason instanceof HandBack && status === 'in_progress') {
    await handBack(deps, runId, leaseId);
    logger.info('handed the run back for another worker');
    return;
  }
  // Aborted by a signal, the run stopped being ours, or it was being cancelled when the
  // upstream failed: the caller asked to stop, so it ends cancelled rather than failed.
  if (controller.signal.aborted || isAbortError(error) || status === 'cancelling') {
    await settleAfterAbort(deps, runId, leaseId);
  } else if (error instanceof ModelError) {
    logger.warn({ code: error.code, err: error }, 'run failed upstream');
    await endRun(
      deps.db,
      runId,
      'failed',
      { lastError: { code: error.code, message: error.message }, usage: state.usage },
      { leaseId },
    );
  } else {
    throw error;
  }
}

/**
 * This execution gives the run up: its heartbeat is cleared (the lease stays, so nothing else
 * mistakes it for a queued run), which makes the run stale at once for the next claim. Best
 * effort: if even this fails, the heartbeat goes stale on its own.
 */
async function letGo(deps: EngineContext, runId: string, leaseId: string, logger: Logger) {
  await letGoOfRun(deps.db, runId, leaseId).catch((error: unknown) =>
    logger.warn({ err: error }, 'giving the run up failed'),
  );
}

/**
 * Gives the run up and queues it, in one transaction: the next worker's claim takes it over at
 * once (a cleared heartbeat is a gone owner). Nothing happens if the run is no longer ours.
 */
async function handBack(deps: EngineContext, runId: string, leaseId: string): Promise<void> {
  await inTransaction(deps.db, async (tx) => {
    if (await letGoOfRun(tx, runId, leaseId)) {
      await deps.jobs.send(tx, executeRunJob, { runId });
    }
  });
}

/**
 * A run no worker can claim: one being cancelled before any worker took it (or whose worker
 * died) is finished here; any other status is someone else's business.
 */
async function finishUnclaimable(deps: EngineContext, runId: string): Promise<void> {
  const run = await deps.db.run.findUnique({
    where: { id: runId },
    select: { status: true },
  });
  if (run?.status !== 'cancelling') {
    return;
  }
  const staleBefore = new Date(Date.now() - deps.settings.runStaleAfterMs);
  if (!(await hasLiveOwner(deps.db, runId, staleBefore))) {
    await endRun(deps.db, runId, 'cancelled', {});
  }
}

/** A run that ended (not one waiting for tool outputs, or taken over) frees its sandbox session. */
async function releaseIfEnded(deps: EngineContext, runId: string, logger: Logger): Promise<void> {
  const ended = await deps.db.run.findUnique({ where: { id: runId }, select: { status: true } });
  if (ended && isTerminal(ended.status)) {
    await deps.builtinTools
      .release(runId)
      .catch((error: unknown) => logger.warn({ err: error }, 'freeing the sandbox session failed'));
  }
}

async function settleAfterAbort(deps: EngineContext, runId: string, leaseId: string) {
  const run = await deps.db.run.findUnique({ where: { id: runId }, select: { status: true } });
  if (run?.status === 'cancelling') {
    await endRun(deps.db, runId, 'cancelled', {}, { leaseId });
  }
  // Expired: the sweeper already ended it and closed what was open.
}
