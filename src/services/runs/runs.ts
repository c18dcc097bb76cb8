import { z } from 'zod';
import { type ServiceContext, withTransaction } from '../../context.js';
import { queryRaw } from '../../db/raw-sql.js';
import { runSql } from '../../db/row-sql.js';
import { ConflictError, InvalidRequestError, NotFoundError } from '../../errors.js';
import { Prisma, type Run } from '../../generated/prisma/client.js';
import { newId } from '../../ids.js';
import { executeRunJob } from '../../jobs/execute-run.js';
import { storedAssistantToolsSchema } from '../assistants/assistant-tools.js';
import { getAssistant } from '../assistants/assistants.js';
import { storedResponseFormatSchema } from '../assistants/response-format.js';
import { parseJsonColumn } from '../common/json-column.js';
import { type PageInput, paginate } from '../common/pagination.js';
import { wantsWholeRow } from '../common/row-query.js';
import { metadataSchema, namesNothing, parseInput } from '../common/validation.js';
import {
  admitModelWork,
  countRequestSql,
  type PendingAdmission,
  prepareAdmission,
} from '../limits/admission.js';
import { insertMessage } from '../threads/messages.js';
import { assertThreadExists, findActiveRun, lockThread } from '../threads/thread-lock.js';
import { createThread } from '../threads/threads.js';
import {
  type CreateRunInput,
  type CreateThreadAndRunInput,
  createRunSchema,
  createThreadAndRunSchema,
  type ParsedRunFields,
} from './run-input.js';
import { canTransition, type RunStatus } from './run-status.js';
import {
  insertRunUnlessBlocked,
  type NewRun,
  requestCancel,
  insertRun as storeRun,
  updateRunMetadata,
} from './store/run-writes.js';

type RunQuery = Pick<Prisma.RunFindFirstArgs, 'select' | 'include'>;

function notFound(id: string): NotFoundError {
  return new NotFoundError(`No run found with id '${id}'.`);
}

type Assistant = Awaited<ReturnType<typeof getAssistant>>;

type RunFields = ParsedRunFields & {
  additionalInstructions?: string | null;
  include?: string[] | null;
  reasoningEffort?: string | null;
};

/**
 * Effective settings: the run's overrides over the assistant's, as OpenAI reports them. Throws
 * when the run would use more than 20 tools.
 */
function newRunOf(
  ctx: ServiceContext,
  threadId: string,
  assistant: Assistant,
  fields: RunFields,
): NewRun {
  const baseInstructions = fields.instructions ?? assistant.instructions ?? '';
  const instructions = fields.additionalInstructions
    ? [baseInstructions, fields.additionalInstructions].filter(Boolean).join('\n\n')
    : baseInstructions;
  const tools =
    fields.tools ??
    parseJsonColumn(storedAssistantToolsSchema, assistant.tools, {
      table: 'assistants',
      id: assistant.id,
      column: 'tools',
    });
  if (tools.length > 20) {
    throw new InvalidRequestError(
      `Invalid 'tools': a run may use at most 20 tools; the assistant has ${tools.length}. Pass 'tools' to choose.`,
      { param: 'tools', openaiCode: 'array_above_max_length' },
    );
  }
  return {
    projectId: ctx.actor.projectId,
    apiKeyId: ctx.actor.apiKeyId,
    threadId,
    assistantId: assistant.id,
    expiresAt: new Date(Date.now() + ctx.settings.runExpiresAfterSeconds * 1000),
    model: fields.model ?? assistant.model,
    instructions,
    tools,
    metadata: fields.metadata ?? {},
    temperature: fields.temperature ?? assistant.temperature,
    topP: fields.topP ?? assistant.topP,
    maxPromptTokens: fields.maxPromptTokens ?? null,
    maxCompletionTokens: fields.maxCompletionTokens ?? null,
    truncationStrategy: fields.truncationStrategy ?? { type: 'auto', lastMessages: null },
    toolChoice: fields.toolChoice ?? { type: 'auto' },
    parallelToolCalls: fields.parallelToolCalls ?? true,
    responseFormat:
      fields.responseFormat ??
      (assistant.responseFormat === null
        ? { type: 'auto' }
        : parseJsonColumn(storedResponseFormatSchema, assistant.responseFormat, {
            table: 'assistants',
            id: assistant.id,
            column: 'responseFormat',
          })),
    reasoningEffort: fields.reasoningEffort ?? assistant.reasoningEffort,
    include: fields.include ?? [],
  };
}

/**
 * The run inside the caller's transaction: admission, then the row and its events (`thread.created`
 * first for create-thread-and-run) in one statement, then the job.
 */
async function insertRun(
  ctx: ServiceContext,
  threadId: string,
  assistant: Assistant,
  fields: RunFields,
  /** For create-thread-and-run: the stream starts with `thread.created`. */
  announceThread = false,
): Promise<Run> {
  const newRun = newRunOf(ctx, threadId, assistant, fields);
  await admitModelWork(ctx, newRun.model);
  const run = await storeRun(ctx.db, newRun, { announceThread, jobName: executeRunJob.name });
  await ctx.jobs.send(
    ctx.db,
    executeRunJob,
    { runId: run.id },
    { singletonKey: run.id, wake: false },
  );
  return run;
}

/**
 * The common create (no messages to add) in one statement (insertRunUnlessBlocked), after the
 * reads that take no lock (the assistant, the budget, the rate limit), side by side. Null when
 * one of those reads already refuses the run (or fails): the transaction's path then answers,
 * in the order of its checks (an unknown thread before an unknown assistant, say).
 */
async function createRunAlone(
  ctx: ServiceContext,
  threadId: string,
  data: RunFields & { assistantId: string },
): Promise<Run | null> {
  const assistantRead = getAssistant(ctx, data.assistantId);
  const admissionRead = prepareAdmission(
    ctx,
    data.model ?? assistantRead.then((assistant) => assistant.model),
  );
  let newRun: NewRun;
  let admission: PendingAdmission;
  try {
    const [assistant, pending] = await Promise.all([assistantRead, admissionRead]);
    if (!pending) {
      return null;
    }
    admission = pending;
    newRun = newRunOf(ctx, threadId, assistant, data);
  } catch {
    return null;
  }
  const { count } = admission;
  const id = newId('run');
  const created = await ctx.jobs.sendWithin(
    executeRunJob,
    { runId: id },
    { singletonKey: id, gate: 'bumped' },
    (jobInsert) =>
      insertRunUnlessBlocked(ctx.db, newRun, {
        id,
        jobName: executeRunJob.name,
        jobInsert,
        countRequest: count
          ? (gate) => countRequestSql(count, count.windowStart, count.max, gate)
          : null,
      }),
  );
  if ('blocked' in created) {
    switch (created.blocked) {
      case 'no_thread':
        throw new NotFoundError(`No thread found with id '${threadId}'.`);
      case 'active_run':
        throw activeRunConflict(threadId, created.runId);
      case 'rate_limited':
        admission.settle(null);
        throw new Error('a refused rate limit did not throw');
    }
  }
  admission.settle(created.requests);
  return created.run;
}

function activeRunConflict(threadId: string, runId: string): ConflictError {
  return new ConflictError(`Thread ${threadId} already has an active run ${runId}.`);
}

/**
 * A read started beside the transaction (its own connection, while the transaction begins and
 * takes its lock) and taken where the transaction needs it, so its error still comes in order.
 * For reads the transaction would not lock anyway, such as the run's assistant: one round trip
 * less on the way of every run created.
 */
function readAside<T>(reading: Promise<T>): () => Promise<T> {
  // Observed where it is awaited; unawaited when the transaction fails first.
  reading.catch(() => undefined);
  return () => reading;
}

/**
 * Starts a run on a thread. The run row and its job are written together: in one statement
 * without additional messages, else in one transaction.
 */
export async function createRun(
  ctx: ServiceContext,
  threadId: string,
  input: CreateRunInput,
  query: RunQuery = {},
) {
  const data = parseInput(createRunSchema, input);
  const alone =
    (data.additionalMessages ?? []).length === 0 ? await createRunAlone(ctx, threadId, data) : null;
  const run = alone ?? (await createRunInTransaction(ctx, threadId, data));
  // As created (queued), as OpenAI answers; a worker may have moved it on since.
  return wantsWholeRow(query) ? run : getRun(ctx, threadId, run.id, query);
}

/** With messages to add first, or when a read before the statement refused: a transaction. */
async function createRunInTransaction(
  ctx: ServiceContext,
  threadId: string,
  data: ReturnType<typeof createRunSchema.parse>,
): Promise<Run> {
  const assistant = readAside(getAssistant(ctx, data.assistantId));
  return withTransaction(ctx, async (tx) => {
    await lockThread(tx, threadId);
    const active = await findActiveRun(tx, threadId);
    if (active) {
      throw activeRunConflict(threadId, active.id);
    }
    for (const [index, message] of (data.additionalMessages ?? []).entries()) {
      await insertMessage(tx, threadId, message, `additionalMessages.${index}`);
    }
    return insertRun(tx, threadId, await assistant(), data);
  });
}

/** Creates a thread (with its messages) and starts a run on it, all or nothing. */
export async function createThreadAndRun(
  ctx: ServiceContext,
  input: CreateThreadAndRunInput,
  query: RunQuery = {},
) {
  const data = parseInput(createThreadAndRunSchema, input);
  const assistantRead = readAside(getAssistant(ctx, data.assistantId));
  const run = await withTransaction(ctx, async (tx) => {
    // Fail on a bad assistant before writing the thread.
    const assistant = await assistantRead();
    const thread = await createThread(tx, {
      ...data.thread,
      toolResources: data.toolResources ?? data.thread?.toolResources,
    });
    return insertRun(tx, thread.id, assistant, data, true);
  });
  return wantsWholeRow(query) ? run : getRun(ctx, run.threadId, run.id, query);
}

export async function findRun(
  ctx: ServiceContext,
  threadId: string,
  id: string,
  query: RunQuery = {},
) {
  if (namesNothing(id) || namesNothing(threadId)) {
    return null;
  }
  if (wantsWholeRow(query)) {
    // Raw SQL: every poll (createAndPoll and friends) reads this; Prisma's query compiler was
    // about a third of a poll's CPU.
    const [run] = await queryRaw<Run>(
      ctx.db,
      Prisma.sql`SELECT ${runSql.columns} FROM runs
       WHERE id = ${id} AND thread_id = ${threadId} AND project_id = ${ctx.actor.projectId}`,
    );
    return run ?? null;
  }
  return ctx.db.run.findFirst({
    ...query,
    where: { id, threadId, projectId: ctx.actor.projectId },
  });
}

export async function getRun(
  ctx: ServiceContext,
  threadId: string,
  id: string,
  query: RunQuery = {},
) {
  const run = await findRun(ctx, threadId, id, query);
  if (!run) {
    await assertThreadExists(ctx, threadId);
    throw notFound(id);
  }
  return run;
}

/**
 * Runs of a thread, or (`threadId` null) of the whole project, newest first by default;
 * `status` keeps runs in those statuses (everything `in_progress` now, say).
 */
export async function listRuns(
  ctx: ServiceContext,
  threadId: string | null,
  page?: PageInput,
  query: RunQuery = {},
  filter: { status?: readonly RunStatus[] | null } = {},
) {
  if (threadId !== null) {
    await assertThreadExists(ctx, threadId);
  }
  const scope = {
    projectId: ctx.actor.projectId,
    ...(threadId === null ? {} : { threadId }),
  };
  const where = { ...scope, ...(filter.status ? { status: { in: [...filter.status] } } : {}) };
  return paginate(page, {
    // Cursors are found whatever their status now: a run that ends between pages keeps its place.
    seqOf: async (id) =>
      (await ctx.db.run.findFirst({ where: { ...scope, id }, select: { seq: true } }))?.seq ?? null,
    fetch: ({ seq, orderBy, take }) =>
      ctx.db.run.findMany({ ...query, where: { ...where, seq }, orderBy, take }),
  });
}

const updateRunSchema = z.object({ metadata: metadataSchema.nullish() });

/** Metadata only; allowed in any status. */
export async function updateRun(
  ctx: ServiceContext,
  threadId: string,
  id: string,
  input: z.input<typeof updateRunSchema>,
  query: RunQuery = {},
) {
  const data = parseInput(updateRunSchema, input);
  await getRun(ctx, threadId, id, { select: { id: true } });
  if (data.metadata !== undefined) {
    await updateRunMetadata(ctx.db, id, data.metadata ?? {});
  }
  return getRun(ctx, threadId, id, query);
}

/**
 * Asks a run to stop: it becomes `cancelling`, and whoever owns it finishes the job: the worker
 * executing it aborts the upstream call (signalled at once), or a queued job finalizes it.
 */
export async function cancelRun(
  ctx: ServiceContext,
  threadId: string,
  id: string,
  query: RunQuery = {},
) {
  const requested = await withTransaction(ctx, async (tx): Promise<Run | null> => {
    await lockThread(tx, threadId);
    // The worker moves runs without the thread lock, so the status read here may be stale by
    // the time we write: compare-and-set, and look again if it moved.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const run = await getRun(tx, threadId, id, { select: { id: true, status: true } });
      if (run.status === 'cancelling') {
        return null;
      }
      const from = run.status as RunStatus;
      if (!canTransition(from, 'cancelling')) {
        throw new InvalidRequestError(`Cannot cancel run with status '${run.status}'.`);
      }
      const ref = { id, projectId: tx.actor.projectId, threadId };
      const cancelling = await requestCancel(tx.db, ref, from);
      if (!cancelling) {
        continue;
      }
      // A run being executed is signalled (requestCancel); any other is finished by a job.
      if (from !== 'in_progress') {
        await tx.jobs.send(tx.db, executeRunJob, { runId: id });
      }
      return cancelling;
    }
    throw new ConflictError(`Run ${id} changed status while cancelling; try again.`);
  });
  // As the request left it (cancelling), as OpenAI answers, however fast its worker then ends it.
  return requested && wantsWholeRow(query) ? requested : getRun(ctx, threadId, id, query);
}
