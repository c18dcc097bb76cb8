import type { ServiceContext } from '../../context.js';
import { NotFoundError } from '../../errors.js';
import { ID_PREFIXES } from '../../ids.js';
import { parseInput } from '../common/validation.js';
import { conversationHistory, getConversation } from '../conversations/conversations.js';
import { assertThreadExists } from '../threads/thread-lock.js';
import { responseChatRequest } from './engine/response-chat.js';
import { promptTokens } from './engine/response-context.js';
import { responseHistory, responseItems } from './response-history.js';
import {
  type CountInputTokensInput,
  countInputTokensSchema,
  type StoredItem,
  toStoredItems,
} from './response-input.js';
import { assertToolStores } from './responses.js';
import { threadHistory } from './thread-bridge/thread-history.js';

/** The items before a new turn continuing `responseId`: its chain's turns and its own. */
export async function previousTurns(
  ctx: ServiceContext,
  responseId: string,
): Promise<StoredItem[]> {
  const previous = await ctx.db.response.findFirst({
    where: { id: responseId, projectId: ctx.actor.projectId, store: true },
    select: { id: true },
  });
  if (!previous) {
    throw new NotFoundError(`Previous response with id '${responseId}' not found.`, {
      param: 'previousResponseId',
    });
  }
  return [
    ...(await responseHistory(ctx.db, responseId)),
    ...(await responseItems(ctx.db, responseId, 'input')),
    ...(await responseItems(ctx.db, responseId, 'output')),
  ];
}

/**
 * `POST /responses/input_tokens`: the prompt tokens a response created with these fields would
 * send on its first model call, counted as the engine counts them for its context window
 * (o200k_base, the tokenizer of `max_prompt_tokens` in runs): the instructions, the history
 * (`previous_response_id`, or `conversation`: a conversation or an Assistants thread), the input
 * and the tools offered. Nothing is written and no model is called.
 */
export async function countResponseInputTokens(
  ctx: ServiceContext,
  raw: CountInputTokensInput,
): Promise<number> {
  const input = parseInput(countInputTokensSchema, raw);
  const tools = input.tools ?? [];
  await assertToolStores(ctx, tools);
  let history: StoredItem[] = [];
  if (input.previousResponseId) {
    history = await previousTurns(ctx, input.previousResponseId);
  } else if (input.conversation) {
    const id = typeof input.conversation === 'string' ? input.conversation : input.conversation.id;
    // A thread stands in for a conversation here too, read as a create on it would read it.
    if (id.startsWith(ID_PREFIXES.thread)) {
      await assertThreadExists(ctx, id, 'conversation');
      history = await threadHistory(ctx, id);
    } else {
      await getConversation(ctx, id, { select: { id: true } }, 'conversation');
      history = await conversationHistory(ctx.db, id);
    }
  }
  const request = responseChatRequest(
    {
      model: input.model ?? '',
      temperature: null,
      topP: null,
      maxOutputTokens: null,
      parallelToolCalls: input.parallelToolCalls ?? true,
      tools,
      toolChoice: input.toolChoice ?? 'auto',
      text: input.text ?? { format: { type: 'text' } },
    },
    [],
    new AbortController().signal,
  );
  return promptTokens(
    input.instructions ?? null,
    [...history, ...toStoredItems(input.input)],
    request.tools ?? [],
  );
}
