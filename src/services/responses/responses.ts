import { type ServiceContext, withTransaction } from '../../context.js';
import { InvalidRequestError, NotFoundError } from '../../errors.js';
import type { Prisma, Response, ResponseEvent } from '../../generated/prisma/client.js';
import { ID_PREFIXES, newId } from '../../ids.js';
import { executeResponseJob } from '../../jobs/execute-response.js';
import { namesNothing, parseInput } from '../common/validation.js';
import { getConversation } from '../conversations/conversations.js';
import { admitModelWork } from '../limits/admission.js';
import { endable } from '../runs/run-streams.js';
import { assertThreadExists, lockThreadForMessages } from '../threads/thread-lock.js';
import { requestModel } from '../upstreams/default-model.js';
import { vectorStoreExpired } from '../vector-stores/vector-store-errors.js';
import { isExpired } from '../vector-stores/vector-store-expiry.js';
import { CONTEXT_OVERFLOW_MESSAGE } from './engine/response-context.js';
import { checkResponseContainers } from './response-container-check.js';
import {
  type CreateResponseInput,
  createResponseSchema,
  type ResponseTool,
  toStoredItems,
} from './response-input.js';
import { responseObject } from './response-object.js';
import { endsResponseStream, isTerminalResponse } from './response-status.js';
import { cancelResponseRow, deleteResponseRow, insertResponse } from './store/response-writes.js';

type ResponseQuery = Omit<Prisma.ResponseFindFirstArgs, 'where'>;

function notFound(id: string, param: string | null = null): NotFoundError {
  return new NotFoundError(`Response with id '${id}' not found.`, { param });
}

/** A stored response of the caller's project (`store: false` ones are never read back). */
export async function getResponse(
  ctx: ServiceContext,
  id: string,
  query: ResponseQuery = {},
): Promise<Response> {
  const row = namesNothing(id)
    ? null
    : await ctx.db.response.findFirst({
        ...query,
        where: { id, projectId: ctx.actor.projectId, store: true },
      });
  if (!row) {
    throw notFound(id);
  }
  return row;
}

/**
 * The file_search tools' vector stores must be the caller's project's and usable: an unknown
 * (or another project's) store is a 404, an expired one a 400, before anything is written.
 */
export async function assertToolStores(ctx: ServiceContext, tools: ResponseTool[]): Promise<void> {
  const wanted = tools.flatMap((tool, toolIndex) =>
    tool.type === 'file_search'
      ? tool.vector_store_ids.map((id, index) => ({
          id,
          param: `tools.${toolIndex}.vector_store_ids.${index}`,
        }))
      : [],
  );
  if (wanted.length === 0) {
    return;
  }
  const rows = await ctx.db.vectorStore.findMany({
    where: { id: { in: wanted.map((store) => store.id) }, projectId: ctx.actor.projectId },
    select: { id: true, status: true, expiresAt: true },
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const now = new Date();
  for (const store of wanted) {
    const row = byId.get(store.id);
    if (!row) {
      throw new NotFoundError(`Vector store with id '${store.id}' not found.`, {
        param: store.param,
      });
    }
    if (isExpired(row, now)) {
      throw vectorStoreExpired(store.id);
    }
  }
}

/**
 * Creates a response and enqueues its generation in one transaction. With `wait` (a foreground
 * response asked for without `stream`), returns once it has ended; otherwise at once, queued,
 * for the caller to follow its events. The worker generates it either way, so a caller that
 * goes away stops waiting, not the response.
 */
export async function createResponse(
  ctx: ServiceContext,
  raw: CreateResponseInput,
  options: { wait: boolean } = { wait: false },
): Promise<Response> {
  const input = parseInput(createResponseSchema, raw);
  const model = await requestModel(ctx, input.model);
  const named =
    typeof input.conversation === 'object' && input.conversation !== null
      ? input.conversation.id
      : (input.conversation ?? null);
  // The migration bridge: an Assistants thread stands in for a conversation.
  const threadId = named?.startsWith(ID_PREFIXES.thread) ? named : null;
  const conversationId = threadId ? null : named;
  if (threadId !== null) {
    await assertThreadExists(ctx, threadId, 'conversation');
  } else if (conversationId !== null) {
    await getConversation(ctx, conversationId, { select: { id: true } }, 'conversation');
  }
  await checkResponseContainers(ctx, input.tools ?? []);
  if (input.previousResponseId) {
    const previous = await ctx.db.response.findFirst({
      where: { id: input.previousResponseId, projectId: ctx.actor.projectId, store: true },
      select: { id: true },
    });
    if (!previous) {
      throw new NotFoundError(
        `Previous response with id '${input.previousResponseId}' not found.`,
        {
          param: 'previousResponseId',
        },
      );
    }
  }
  await assertToolStores(ctx, input.tools ?? []);
  const id = newId('response');
  const response = {
    id,
    projectId: ctx.actor.projectId,
    apiKeyId: ctx.actor.apiKeyId,
    createdAt: new Date(),
    model,
    instructions: input.instructions ?? null,
    metadata: input.metadata ?? {},
    temperature: input.temperature ?? null,
    topP: input.topP ?? null,
    maxOutputTokens: input.maxOutputTokens ?? null,
    tools: input.tools ?? [],
    toolChoice: input.toolChoice ?? 'auto',
    parallelToolCalls: input.parallelToolCalls ?? true,
    text: input.text ?? { format: { type: 'text' } },
    store: input.store ?? true,
    background: input.background ?? false,
    previousResponseId: input.previousResponseId ?? null,
    conversationId,
    expiresAt: new Date(Date.now() + ctx.settings.runExpiresAfterSeconds * 1000),
    include: [...new Set(input.include ?? [])],
    truncation: input.truncation ?? 'disabled',
    threadId,
  };
  const queued = {
    ...response,
    status: 'queued',
    usage: null,
    error: null,
    incompleteDetails: null,
    completedAt: null,
    startedAt: null,
    eventSeq: 0,
  };
  const snapshot = responseObject(queued, []);
  await withTransaction(ctx, async (tx) => {
    // The budget, allow-list and rate limit of runs; counted only if the response is written.
    await admitModelWork(tx, response.model);
    if (threadId !== null) {
      // As adding a message: the thread's lock, and no turn while a run is active on it.
      await lockThreadForMessages(tx, threadId);
    }
    await insertResponse(tx.db, response, toStoredItems(input.input), {
      events: response.background
        ? [
            { type: 'response.created', response: snapshot },
            { type: 'response.queued', response: snapshot },
          ]
        : [],
      jobName: executeResponseJob.name,
    });
    await tx.jobs.send(
      tx.db,
      executeResponseJob,
      { responseId: id },
      { singletonKey: id, wake: false },
    );
  });
  if (options.wait && !response.background) {
    const controller = new AbortController();
    let last: ResponseEvent | null = null;
    try {
      for await (const row of ctx.responseEvents.follow(id, -1, controller.signal)) {
        if (endsResponseStream(row.event)) {
          last = row;
          break;
        }
      }
    } finally {
      controller.abort();
    }
    // An input over the context window fails the request itself, as on OpenAI.
    const data = last?.data as { code?: unknown } | undefined;
    if (last?.event === 'error' && data?.code === 'context_length_exceeded') {
      throw new InvalidRequestError(CONTEXT_OVERFLOW_MESSAGE, {
        param: 'input',
        openaiCode: 'context_length_exceeded',
      });
    }
  }
  const row = await ctx.db.response.findUnique({ where: { id } });
  if (!row) {
    throw notFound(id);
  }
  return row;
}

/**
 * A response's events after `afterSeq` (-1: from the first), catch-up then live, until it ends
 * or the consumer stops. Any response of the caller's project, `store: false` included: its
 * creator streams it by id.
 */
export async function followResponse(
  ctx: ServiceContext,
  id: string,
  afterSeq: number,
): Promise<AsyncGenerator<ResponseEvent>> {
  const row = await ctx.db.response.findFirst({
    where: { id, projectId: ctx.actor.projectId },
    select: { status: true, eventSeq: true },
  });
  if (!row) {
    throw notFound(id);
  }
  return endable(async function* (signal) {
    if (isTerminalResponse(row.status) && afterSeq >= row.eventSeq - 1) {
      return;
    }
    for await (const event of ctx.responseEvents.follow(id, afterSeq, signal)) {
      yield event;
      if (endsResponseStream(event.event)) {
        return;
      }
    }
  });
}

export async function deleteResponse(
  ctx: ServiceContext,
  id: string,
): Promise<{ id: string; deleted: true }> {
  if (namesNothing(id) || !(await deleteResponseRow(ctx.db, id, ctx.actor.projectId))) {
    throw notFound(id);
  }
  return { id, deleted: true };
}

/** Cancels a background response; one that has ended is returned as it is, as OpenAI does. */
export async function cancelResponse(ctx: ServiceContext, id: string): Promise<Response> {
  const row = await getResponse(ctx, id);
  if (!row.background) {
    throw new InvalidRequestError('Only responses created with background=true can be cancelled.');
  }
  if (!isTerminalResponse(row.status)) {
    await cancelResponseRow(ctx.db, id, {
      type: 'error',
      code: 'response_cancelled',
      message: 'The response was cancelled.',
      param: null,
    });
  }
  return getResponse(ctx, id);
}
