import { randomUUID } from 'node:crypto';
import { actingFor } from '../../../context.js';
import { inTransaction } from '../../../db/db.js';
import type { Response } from '../../../generated/prisma/client.js';
import { ModelError } from '../../../models/chat-model.js';
import { isAbortError } from '../../../models/openai-chat-model.js';
import { conversationHistory } from '../../conversations/conversations.js';
import { appendConversationItems } from '../../conversations/store/conversation-writes.js';
import { spentBudget } from '../../limits/quota.js';
import type { EngineContext } from '../../runs/engine/engine-context.js';
import { promptBudget } from '../../runs/engine/prompt-budget.js';
import { BUILTIN_FUNCTION_NAMES } from '../../runs/engine/tools/definitions.js';
import { addUsage, type Usage } from '../../runs/usage.js';
import { responseHistory, responseItems } from '../response-history.js';
import type { FileSearchTool, ResponseToolChoice, StoredItem } from '../response-input.js';
import { responseObject, responseUsage } from '../response-object.js';
import { responseSettings } from '../response-settings.js';
import { END_EVENTS } from '../response-status.js';
import {
  claimResponse,
  endResponse,
  heartbeatResponse,
  type OwnedResponse,
  type ResponseEnd,
} from '../store/response-writes.js';
import { threadHistory } from '../thread-bridge/thread-history.js';
import { appendTurnToThread } from '../thread-bridge/thread-turn.js';
import { CodeCallWriter } from './code-call-writer.js';
import { runCodeCall } from './code-interpreter-call.js';
import { chatMessages, responseChatRequest } from './response-chat.js';
import { responseContainer } from './response-container.js';
import { CONTEXT_OVERFLOW_MESSAGE, fitContext } from './response-context.js';
import { citationTargets, fileSearchQuery, searchForResponse } from './response-file-search.js';

/**
 * Model calls a response may make answering its built-in (file_search, code_interpreter) calls
 * before it must answer; the last may call no tool.
 */
const MAX_MODEL_CALLS = 6;

/**
 * The tool choice for the next model call once built-in calls were answered: a forced choice
 * (`required`, a named tool) is spent, so the model now writes its answer; the last call
 * may not search again.
 */
function nextToolChoice(choice: ResponseToolChoice, call: number): ResponseToolChoice {
  if (call + 1 >= MAX_MODEL_CALLS - 1) {
    return 'none';
  }
  return choice === 'none' || choice === 'auto' ? choice : 'auto';
}

/**
 * Takes the response with a fresh lease, announcing it in progress: a background response was
 * announced (created, queued) when it was made; a foreground one is announced here, so its
 * stream opens with `response.created` and `response.in_progress` as OpenAI's does. A takeover
 * (the response was in progress under a worker that is gone) announces `response.in_progress`
 * again, with an empty output: the earlier execution's output is dropped and generated anew.
 * The lease's lock is taken first: a claimed response whose lock is free looks abandoned.
 */
async function claim(deps: EngineContext, row: Response): Promise<OwnedResponse | null> {
  const leaseId = randomUUID();
  const now = new Date();
  const resumed = row.status === 'in_progress';
  const snapshot = responseObject({ ...row, status: 'in_progress' }, []);
  const inProgress = { type: 'response.in_progress', response: snapshot };
  await deps.leases.hold(leaseId);
  try {
    const claimed = await claimResponse(deps.db, row.id, {
      leaseId,
      resumed,
      now,
      staleBefore: new Date(now.getTime() - deps.settings.runStaleAfterMs),
      events:
        row.background || resumed
          ? [inProgress]
          : [{ type: 'response.created', response: snapshot }, inProgress],
      publisher: deps.responseEvents,
    });
    if (claimed) {
      return { id: row.id, leaseId };
    }
  } catch (error) {
    await deps.leases.release(leaseId);
    throw error;
  }
  await deps.leases.release(leaseId);
  return null;
}

/**
 * Generates a response: one streamed model call over its history and input, written as output
 * items and events, ending `completed`, `incomplete` (max_output_tokens) or `failed`. Function
 * calls end it too: the caller answers them in a next response (`function_call_output` items
 * with `previous_response_id`). Idempotent: a response in any other state is left alone.
 */
export async function executeResponse(deps: EngineContext, responseId: string): Promise<void> {
  const row = await deps.db.response.findUnique({ where: { id: responseId } });
  if (!row || (row.status !== 'queued' && row.status !== 'in_progress')) {
    return;
  }
  const owned = await claim(deps, row);
  if (!owned) {
    return;
  }
  const logger = deps.logger.child({ responseId });
  if (row.status === 'in_progress') {
    logger.info('taking over a response whose worker is gone');
  }
  const controller = new AbortController();
  const unwatch = deps.watchRun(responseId, controller);
  const heartbeat = setInterval(() => {
    heartbeatResponse(deps.db, owned)
      .then((alive) => {
        if (!alive) {
          controller.abort();
        }
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'response heartbeat failed'));
  }, deps.settings.runHeartbeatMs);
  const settings = responseSettings(row);
  const fileSearch = settings.tools.find(
    (tool): tool is FileSearchTool => tool.type === 'file_search',
  );
  const writer = new CodeCallWriter(
    deps,
    { ...owned, projectId: row.projectId },
    {
      fileSearchNames: new Set(fileSearch ? [BUILTIN_FUNCTION_NAMES.file_search] : []),
      include: row.include,
    },
  );
  const inProgress = { ...row, status: 'in_progress' };
  let usage: Usage | null = null;
  let input: StoredItem[] = [];
  /** `event`: instead of the status's own end event (a context overflow's `error`). */
  const end = (fields: Omit<ResponseEnd, 'event'>, event?: ResponseEnd['event']) =>
    inTransaction(deps.db, async (tx) => {
      const ended = await endResponse(
        tx,
        owned,
        {
          ...fields,
          event: event ?? {
            type: END_EVENTS[fields.status],
            response: responseObject({ ...inProgress, ...fields }, writer.items),
          },
        },
        deps.responseEvents,
      );
      // The conversation (or thread) gets the response's turn with its end, in the same
      // transaction: a response that ends is in its history, one that fails or was taken over
      // is not.
      if (ended && fields.status !== 'failed') {
        const turn = [...input, ...writer.items];
        if (row.conversationId) {
          await appendConversationItems(tx, row.conversationId, turn);
        } else if (row.threadId) {
          await appendTurnToThread(tx, row.threadId, turn, fields.completedAt ?? new Date());
        }
      }
      return ended;
    });
  try {
    input = await responseItems(deps.db, responseId, 'input');
    const history = row.threadId
      ? await threadHistory(actingFor(deps, row.projectId), row.threadId)
      : row.conversationId
        ? await conversationHistory(deps.db, row.conversationId)
        : await responseHistory(deps.db, responseId);
    const earlier = [...history, ...input];
    // The response's key, so a search's query embedding (and a code session) is metered as its usage.
    const toolCtx = {
      ...actingFor(deps, row.projectId),
      actor: { projectId: row.projectId, apiKeyId: row.apiKeyId, admin: false },
    };
    const budget = promptBudget(
      null,
      row.maxOutputTokens,
      deps.model.contextWindow(row.model),
    ).tokens;
    // A budget spent since the response was admitted (by responses or runs queued before it).
    const spent = await spentBudget(deps, row.projectId);
    if (spent !== null) {
      await end({
        status: 'failed',
        completedAt: null,
        usage: null,
        metered: null,
        error: { code: 'rate_limit_exceeded', message: spent },
        incompleteDetails: null,
      });
      return;
    }
    let finishReason: string | null = null;
    let toolChoice = settings.toolChoice;
    const container = responseContainer(toolCtx, row.id, settings.tools);
    // What the model was told of each code call this execution (its logs, the files saved).
    const codeOutputs = new Map<string, string>();
    for (let call = 0; ; call += 1) {
      const request = responseChatRequest(
        { ...row, ...settings, toolChoice },
        [],
        controller.signal,
      );
      const context = fitContext({
        instructions: row.instructions,
        earlier,
        output: writer.items,
        tools: request.tools ?? [],
        budget,
        truncation: row.truncation,
        codeOutputs,
      });
      if (!context.fits) {
        logger.info({ neededTokens: context.neededTokens, budget }, 'response input too long');
        await writer.finish('incomplete');
        // OpenAI's stream ends with an `error` event saying so; the object records the failure.
        await end(
          {
            status: 'failed',
            completedAt: null,
            usage: responseUsage(usage),
            metered: usage,
            error: { code: 'invalid_prompt', message: CONTEXT_OVERFLOW_MESSAGE },
            incompleteDetails: null,
          },
          {
            type: 'error',
            code: 'context_length_exceeded',
            message: CONTEXT_OVERFLOW_MESSAGE,
            param: 'input',
          },
        );
        return;
      }
      writer.nextCall(fileSearch ? citationTargets(context.items) : null);
      request.messages = chatMessages(row.instructions, context.items, codeOutputs);
      for await (const event of deps.model.stream(request)) {
        if (event.type === 'text') {
          writer.text(event.delta);
        } else if (event.type === 'tool_call') {
          if (container.enabled && writer.isCodeCall(event)) {
            writer.codeCall(event, await container.id());
          } else {
            writer.toolCall(event);
          }
        } else {
          finishReason = event.finishReason;
          usage = addUsage(usage, event.usage);
        }
      }
      const searches = fileSearch ? writer.pendingSearches : [];
      // A model that called a built-in tool on its last call anyway ends there (the calls left
      // incomplete), as does one cut off by the token limit.
      if (
        (searches.length === 0 && !writer.hasPendingCodeCalls) ||
        finishReason === 'length' ||
        call + 1 >= MAX_MODEL_CALLS
      ) {
        break;
      }
      if (fileSearch) {
        for (const search of searches) {
          writer.searching(search.id);
          const query = fileSearchQuery(search.arguments);
          writer.searched(search.id, [query], await searchForResponse(toolCtx, fileSearch, query));
        }
      }
      for (const code of writer.interpret()) {
        const result = await runCodeCall(
          toolCtx,
          deps.codeInterpreter,
          { responseId, containerId: code.containerId, code: code.code },
          controller.signal,
        );
        codeOutputs.set(code.itemId, result.modelOutput);
        writer.complete(code, result.outputs, result.written);
      }
      // Function calls end the response: the caller answers them in its next one.
      if (writer.hasFunctionCalls) {
        break;
      }
      toolChoice = nextToolChoice(toolChoice, call);
    }
    const incomplete = finishReason === 'length';
    await writer.finish(incomplete ? 'incomplete' : 'completed');
    await end({
      status: incomplete ? 'incomplete' : 'completed',
      completedAt: incomplete ? null : new Date(),
      usage: responseUsage(usage),
      metered: usage,
      error: null,
      incompleteDetails: incomplete ? { reason: 'max_output_tokens' } : null,
    });
  } catch (error) {
    await writer.settle();
    // Cancelled (the cancel wrote the end) or taken over: nothing more is ours to write.
    if (controller.signal.aborted || isAbortError(error)) {
      return;
    }
    if (!(error instanceof ModelError)) {
      throw error;
    }
    logger.warn({ code: error.code, err: error }, 'response failed upstream');
    await end({
      status: 'failed',
      completedAt: null,
      usage: responseUsage(usage),
      metered: usage,
      error: { code: error.code, message: error.message },
      incompleteDetails: null,
    });
  } finally {
    clearInterval(heartbeat);
    unwatch();
    // Freed, the lock says the response has no owner: if it has not ended (handed back at
    // shutdown, or a write failed), the next takeover check queues it for another worker.
    await deps.leases.release(owned.leaseId);
  }
}
