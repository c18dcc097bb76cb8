import { randomUUID } from 'node:crypto';
import type { ServiceContext, ServiceSettings } from '../context.js';
import type { PrismaClient } from '../db/prisma.js';
import type { RunEventHub } from '../events/run-event-hub.js';
import { newId } from '../ids.js';
import type { JobQueue } from '../jobs/queue.js';
import type { Logger } from '../logger.js';
import { type ChatModel, ModelError } from '../models/chat-model.js';
import { isAbortError } from '../models/openai-chat-model.js';
import { SQL_NULL, toJson } from './json.js';
import { chatRequest } from './run-chat-request.js';
import { buildRunContext } from './run-context.js';
import { addUsage, endRun, type Usage } from './run-outcomes.js';
import type { RequiredAction, StepDetails } from './run-step-details.js';

export interface ExecutorSettings extends ServiceSettings {
  /** How often the executing worker proves it is alive (Default: 2000 ms). */
  runHeartbeatMs: number;
  /** A run whose heartbeat is older than this is taken over (Default: 15000 ms). */
  runStaleAfterMs: number;
  /** How often streamed text is written to the message while generating (Default: 200 ms). */
  textFlushMs: number;
}

export interface ExecutorDeps {
  db: PrismaClient;
  logger: Logger;
  jobs: JobQueue;
  model: ChatModel;
  settings: ExecutorSettings;
  runEvents: RunEventHub;
  /** Aborts `controller` when the run is signalled (cancel, expiry); returns the unsubscribe. */
  watchRun(runId: string, controller: AbortController): () => void;
}

/** Text being streamed into a message by the current model call. */
interface OpenText {
  stepId: string;
  messageId: string;
  value: string;
  flushedAt: number;
  /** A flush waiting for the flush interval to pass. */
  timer: NodeJS.Timeout | null;
  /** Writes are chained so a late partial write can never land after a later one. */
  writing: Promise<void>;
}

function textContent(value: string) {
  return toJson([{ type: 'text', text: { value, annotations: [] } }]);
}

/** Writes the text so far now (after any write already under way). */
function flushText(deps: ExecutorDeps, text: OpenText): Promise<void> {
  if (text.timer) {
    clearTimeout(text.timer);
    text.timer = null;
  }
  text.flushedAt = Date.now();
  text.writing = text.writing.then(async () => {
    await deps.db.message.update({
      where: { id: text.messageId },
      data: { content: textContent(text.value) },
    });
  });
  return text.writing;
}

/**
 * Makes streamed text visible at most `textFlushMs` after it arrived, even when the upstream
 * then stalls, without writing once per token.
 */
function scheduleFlush(deps: ExecutorDeps, text: OpenText, logger: Logger): void {
  if (text.timer) {
    return;
  }
  const wait = Math.max(0, deps.settings.textFlushMs - (Date.now() - text.flushedAt));
  text.timer = setTimeout(() => {
    text.timer = null;
    flushText(deps, text).catch((error: unknown) =>
      logger.warn({ err: error }, 'writing streamed text failed'),
    );
  }, wait);
}

/** Cancels a pending flush and waits for writes under way, before the final write. */
async function settleText(text: OpenText): Promise<void> {
  if (text.timer) {
    clearTimeout(text.timer);
    text.timer = null;
  }
  await text.writing.catch(() => undefined);
}

/**
 * Takes ownership of a run with a fresh lease: a queued run, or an in-progress run whose worker
 * stopped heartbeating (it died). Two workers can never both hold it.
 */
async function claimRun(deps: ExecutorDeps, runId: string, startedAt: Date | null) {
  const leaseId = randomUUID();
  const now = new Date();
  const staleBefore = new Date(now.getTime() - deps.settings.runStaleAfterMs);
  const { count } = await deps.db.run.updateMany({
    where: {
      id: runId,
      OR: [
        { status: 'queued' },
        {
          status: 'in_progress',
          OR: [{ heartbeatAt: null }, { heartbeatAt: { lt: staleBefore } }],
        },
      ],
    },
    data: { status: 'in_progress', leaseId, heartbeatAt: now, startedAt: startedAt ?? now },
  });
  return count === 1 ? leaseId : null;
}

/** A dead execution may have left a half-written message: drop it, it is generated again. */
async function discardUnfinishedText(deps: ExecutorDeps, runId: string): Promise<void> {
  const steps = await deps.db.runStep.findMany({
    where: { runId, status: 'in_progress', type: 'message_creation' },
  });
  for (const step of steps) {
    const details = step.stepDetails as unknown as StepDetails;
    await deps.db.$transaction([
      deps.db.runStep.delete({ where: { id: step.id } }),
      ...(details.type === 'message_creation'
        ? [deps.db.message.deleteMany({ where: { id: details.messageCreation.messageId } })]
        : []),
    ]);
  }
}

/**
 * Moves a run forward by one model call: claim it, build its context, stream the upstream
 * completion into a message (or collect tool calls), and end in `completed`, `incomplete`,
 * `requires_action` or `failed`. Idempotent: a run in any other state is left alone.
 */
export async function executeRun(deps: ExecutorDeps, runId: string): Promise<void> {
  const run = await deps.db.run.findUnique({ where: { id: runId } });
  if (!run) {
    return;
  }
  const staleBefore = Date.now() - deps.settings.runStaleAfterMs;
  if (run.status === 'cancelling') {
    const ownedElsewhere = run.leaseId !== null && (run.heartbeatAt?.getTime() ?? 0) > staleBefore;
    if (!ownedElsewhere) {
      await endRun(deps.db, runId, 'cancelled', {});
    }
    return;
  }
  if (run.status !== 'queued' && run.status !== 'in_progress') {
    return;
  }
  const leaseId = await claimRun(deps, runId, run.startedAt);
  if (!leaseId) {
    return;
  }
  const logger = deps.logger.child({ runId });
  await discardUnfinishedText(deps, runId);

  const controller = new AbortController();
  const unwatch = deps.watchRun(runId, controller);
  const heartbeat = setInterval(() => {
    deps.db.run
      .updateMany({
        where: { id: runId, leaseId, status: 'in_progress' },
        data: { heartbeatAt: new Date() },
      })
      .then(({ count }) => {
        // Cancelled, expired or taken over while we were generating: stop at once.
        if (count === 0) {
          controller.abort();
        }
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'run heartbeat failed'));
  }, deps.settings.runHeartbeatMs);

  const state: { text: OpenText | null; usage: Usage | null } = {
    text: null,
    usage: (run.usage as Usage | null) ?? null,
  };
  try {
    await generate(deps, runId, leaseId, controller.signal, state, logger);
  } catch (error) {
    if (state.text) {
      await flushText(deps, state.text).catch(() => undefined);
      await settleText(state.text);
    }
    // Aborted by a signal, or the run stopped being ours before its message was opened.
    if (controller.signal.aborted || isAbortError(error)) {
      await settleAfterAbort(deps, runId, leaseId);
    } else if (error instanceof ModelError) {
      logger.warn({ code: error.code, err: error }, 'run failed upstream');
      await endRun(
        deps.db,
        runId,
        'failed',
        { lastError: { code: error.code, message: error.message }, usage: state.usage },
        leaseId,
      );
    } else {
      // Infrastructure trouble (database, network): pg-boss retries the job, and a dead
      // execution is taken over once its heartbeat is stale.
      throw error;
    }
  } finally {
    clearInterval(heartbeat);
    unwatch();
  }
}

async function settleAfterAbort(deps: ExecutorDeps, runId: string, leaseId: string) {
  const run = await deps.db.run.findUnique({ where: { id: runId }, select: { status: true } });
  if (run?.status === 'cancelling') {
    await endRun(deps.db, runId, 'cancelled', {}, leaseId);
  } else if (run?.status === 'expired') {
    // The sweeper expired it while we streamed; close what we opened after it swept.
    await endRun(deps.db, runId, 'expired', {});
  }
}

async function generate(
  deps: ExecutorDeps,
  runId: string,
  leaseId: string,
  signal: AbortSignal,
  state: { text: OpenText | null; usage: Usage | null },
  logger: Logger,
): Promise<void> {
  const run = await deps.db.run.findUniqueOrThrow({ where: { id: runId } });
  const ctx: ServiceContext = {
    db: deps.db,
    logger: deps.logger,
    jobs: deps.jobs,
    settings: deps.settings,
    runEvents: deps.runEvents,
    actor: { projectId: run.projectId, apiKeyId: null },
  };
  const context = await buildRunContext(ctx, run);
  if (!context.fits) {
    await endRun(
      deps.db,
      runId,
      'incomplete',
      { reason: 'max_prompt_tokens', usage: state.usage },
      leaseId,
    );
    return;
  }
  const remaining =
    run.maxCompletionTokens === null
      ? null
      : run.maxCompletionTokens - (state.usage?.completionTokens ?? 0);
  if (remaining !== null && remaining <= 0) {
    await endRun(
      deps.db,
      runId,
      'incomplete',
      { reason: 'max_completion_tokens', usage: state.usage },
      leaseId,
    );
    return;
  }

  const calls = new Map<number, { id?: string; name: string; arguments: string }>();
  let finishReason: string | null = null;
  let callUsage: Usage | null = null;
  for await (const event of deps.model.stream(
    chatRequest(run, context.messages, remaining, signal),
  )) {
    if (event.type === 'text') {
      state.text ??= await openMessage(deps, run, leaseId);
      state.text.value += event.delta;
      scheduleFlush(deps, state.text, logger);
    } else if (event.type === 'tool_call') {
      const call = calls.get(event.index) ?? { name: '', arguments: '' };
      call.id ??= event.id;
      call.name += event.name ?? '';
      call.arguments += event.argumentsDelta ?? '';
      calls.set(event.index, call);
    } else {
      finishReason = event.finishReason;
      callUsage = event.usage;
    }
  }
  state.usage = addUsage(state.usage, callUsage);
  const hitLimit = finishReason === 'length' && remaining !== null;
  const now = new Date();

  if (state.text) {
    const text = state.text;
    await settleText(text);
    await deps.db.$transaction([
      deps.db.message.update({
        where: { id: text.messageId },
        data: {
          content: textContent(text.value),
          ...(hitLimit
            ? {
                status: 'incomplete',
                incompleteAt: now,
                incompleteDetails: toJson({ reason: 'max_tokens' }),
              }
            : { status: 'completed', completedAt: now }),
        },
      }),
      deps.db.runStep.update({
        where: { id: text.stepId },
        data: {
          status: 'completed',
          completedAt: now,
          ...(calls.size === 0 && callUsage ? { usage: toJson(callUsage) } : {}),
        },
      }),
    ]);
    state.text = null;
  }

  if (calls.size > 0 && !hitLimit) {
    const toolCalls = [...calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, call]) => ({
        id: call.id ?? newId('toolCall'),
        type: 'function' as const,
        function: { name: call.name, arguments: call.arguments, output: null },
      }));
    const details: StepDetails = { type: 'tool_calls', toolCalls };
    const requiredAction: RequiredAction = {
      type: 'submit_tool_outputs',
      submitToolOutputs: {
        toolCalls: toolCalls.map(({ id, function: fn }) => ({
          id,
          type: 'function',
          function: { name: fn.name, arguments: fn.arguments },
        })),
      },
    };
    await deps.db.$transaction(async (tx) => {
      const { count } = await tx.run.updateMany({
        where: { id: runId, leaseId, status: 'in_progress' },
        data: {
          status: 'requires_action',
          requiredAction: toJson(requiredAction),
          usage: state.usage ? toJson(state.usage) : SQL_NULL,
          leaseId: null,
          heartbeatAt: null,
        },
      });
      if (count === 0) {
        return;
      }
      await tx.runStep.create({
        data: {
          id: newId('step'),
          projectId: run.projectId,
          runId,
          threadId: run.threadId,
          assistantId: run.assistantId,
          type: 'tool_calls',
          status: 'in_progress',
          stepDetails: toJson(details),
          ...(callUsage ? { usage: toJson(callUsage) } : {}),
        },
      });
    });
    return;
  }
  if (hitLimit) {
    await endRun(
      deps.db,
      runId,
      'incomplete',
      { reason: 'max_completion_tokens', usage: state.usage },
      leaseId,
    );
    return;
  }
  await endRun(deps.db, runId, 'completed', { usage: state.usage }, leaseId);
}

/** Creates the assistant message and its message_creation step as the first token arrives. */
async function openMessage(
  deps: ExecutorDeps,
  run: { id: string; projectId: string; threadId: string; assistantId: string },
  leaseId: string,
): Promise<OpenText> {
  const messageId = newId('message');
  const stepId = newId('step');
  await deps.db.$transaction(async (tx) => {
    const owned = await tx.run.count({ where: { id: run.id, leaseId, status: 'in_progress' } });
    if (owned === 0) {
      throw new DOMException('The run is no longer ours', 'AbortError');
    }
    await tx.message.create({
      data: {
        id: messageId,
        projectId: run.projectId,
        threadId: run.threadId,
        role: 'assistant',
        status: 'in_progress',
        content: toJson([]),
        assistantId: run.assistantId,
        runId: run.id,
        attachments: toJson([]),
      },
    });
    const details: StepDetails = { type: 'message_creation', messageCreation: { messageId } };
    await tx.runStep.create({
      data: {
        id: stepId,
        projectId: run.projectId,
        runId: run.id,
        threadId: run.threadId,
        assistantId: run.assistantId,
        type: 'message_creation',
        status: 'in_progress',
        stepDetails: toJson(details),
      },
    });
  });
  return { stepId, messageId, value: '', flushedAt: 0, timer: null, writing: Promise.resolve() };
}
