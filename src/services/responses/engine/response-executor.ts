import { randomUUID } from 'node:crypto';
import { actingFor } from '../../../context.js';
import { inTransaction } from '../../../db/db.js';
import type { Response } from '../../../generated/prisma/client.js';
import { ModelError } from '../../../models/chat-model.js';
import { isAbortError } from '../../../models/openai-chat-model.js';
import { conversationHistory } from '../../conversations/conversations.js';
import { appendConversationItems } from '../../conversations/store/conversation-writes.js';
import type { EngineContext } from '../../runs/engine/engine-context.js';
import { addUsage, type Usage } from '../../runs/usage.js';
import { responseHistory, responseItems } from '../response-history.js';
import type { StoredItem } from '../response-input.js';
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
import { CodeCallWriter } from './code-call-writer.js';
import { runCodeCall } from './code-interpreter-call.js';
import { chatMessages, responseChatRequest } from './response-chat.js';
import { responseContainer } from './response-container.js';

/** Model calls in a row whose code_interpreter calls are answered before the response ends. */
const MAX_CODE_ROUNDS = 8;

/**
 * Takes the response with a fresh lease, announcing it in progress: a background response was
 * announced (created, queued) when it was made; a foreground one is announced here, so its
 * stream opens with `response.created` and `response.in_progress` as OpenAI's does.
 */
async function claim(deps: EngineContext, row: Response): Promise<OwnedResponse | null> {
  const leaseId = randomUUID();
  const now = new Date();
  const snapshot = responseObject({ ...row, status: 'in_progress' }, []);
  const claimed = await claimResponse(deps.db, row.id, {
    leaseId,
    now,
    staleBefore: new Date(now.getTime() - deps.settings.runStaleAfterMs),
    events: row.background
      ? [{ type: 'response.in_progress', response: snapshot }]
      : [
          { type: 'response.created', response: snapshot },
          { type: 'response.in_progress', response: snapshot },
        ],
    publisher: deps.responseEvents,
  });
  return claimed ? { id: row.id, leaseId } : null;
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
  const writer = new CodeCallWriter(
    deps,
    { ...owned, projectId: row.projectId },
    row.includeFields,
  );
  const inProgress = { ...row, status: 'in_progress' };
  let usage: Usage | null = null;
  let input: StoredItem[] = [];
  const end = (fields: Omit<ResponseEnd, 'event'>) =>
    inTransaction(deps.db, async (tx) => {
      const ended = await endResponse(
        tx,
        owned,
        {
          ...fields,
          event: {
            type: END_EVENTS[fields.status],
            response: responseObject({ ...inProgress, ...fields }, writer.items),
          },
        },
        deps.responseEvents,
      );
      // The conversation gets the response's turn with its end, in the same transaction: a
      // response that ends is in its history, one that fails or was taken over is not.
      if (ended && row.conversationId && fields.status !== 'failed') {
        await appendConversationItems(tx, row.conversationId, [...input, ...writer.items]);
      }
      return ended;
    });
  try {
    const settings = responseSettings(row);
    input = await responseItems(deps.db, responseId, 'input');
    const history = row.conversationId
      ? await conversationHistory(deps.db, row.conversationId)
      : await responseHistory(deps.db, responseId);
    const items = [...history, ...input];
    let finishReason: string | null = null;
    const ctx = actingFor(deps, row.projectId);
    const container = responseContainer(ctx, row.id, settings.tools);
    const codeOutputs = new Map<string, string>();
    // Code calls are answered here and the model called again, as runs do (8 rounds at most);
    // function calls end the response for the caller to answer.
    for (let round = 0; ; round += 1) {
      const request = responseChatRequest(
        { ...row, ...settings },
        chatMessages(row.instructions, [...items, ...writer.items], codeOutputs),
        controller.signal,
      );
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
      if (finishReason === 'length') {
        break;
      }
      const calls = writer.interpret();
      for (const call of calls) {
        const result = await runCodeCall(
          ctx,
          deps.codeInterpreter,
          call.containerId,
          call.code,
          controller.signal,
        );
        codeOutputs.set(call.itemId, result.modelOutput);
        writer.complete(call, result.outputs, result.written);
      }
      writer.endRound();
      if (calls.length === 0 || writer.hasFunctionCalls || round + 1 >= MAX_CODE_ROUNDS) {
        break;
      }
    }
    const incomplete = finishReason === 'length';
    await writer.finish(incomplete ? 'incomplete' : 'completed');
    await end({
      status: incomplete ? 'incomplete' : 'completed',
      completedAt: incomplete ? null : new Date(),
      usage: responseUsage(usage),
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
      error: { code: error.code, message: error.message },
      incompleteDetails: null,
    });
  } finally {
    clearInterval(heartbeat);
    unwatch();
  }
}
