import type { ServiceContext } from '../../context.js';
import { ServiceUnavailableError, UpstreamModelError } from '../../errors.js';
import { newId } from '../../ids.js';
import { type ChatRequest, ModelError } from '../../models/chat-model.js';
import { parseInput } from '../common/validation.js';
import { admitModelWork } from '../limits/admission.js';
import { chatMessages } from './engine/response-chat.js';
import {
  type CompactResponseInput,
  compactResponseSchema,
  type StoredItem,
  toStoredItems,
} from './response-input.js';
import { previousTurns } from './response-input-tokens.js';
import { type ModelUsage, type ResponseUsage, responseUsage } from './response-object.js';

/** What the model is asked to do with the history it is shown. */
const COMPACTION_INSTRUCTIONS =
  'Summarise the conversation above so that it can continue from the summary alone: keep the ' +
  'goals, decisions, facts, open questions and the results of tool calls. Answer with the summary only.';

export interface CompactedResponse {
  id: string;
  object: 'response.compaction';
  created_at: number;
  output: StoredItem[];
  usage: ResponseUsage;
}

/**
 * `POST /responses/compact`: one model call writes a summary of the history (the
 * `previous_response_id` chain, then `input`); the result keeps the history's user messages and
 * ends with a `compaction` item holding that summary. OpenAI's item is opaque; ours carries the
 * summary as plain text in `encrypted_content`, and a later create that gets it as input shows
 * the model that summary in place of the history. Nothing is stored; the call is metered, and
 * refused (429) as a create is when the project's budget is spent or its rate limit reached.
 */
export async function compactResponse(
  ctx: ServiceContext,
  raw: CompactResponseInput,
): Promise<CompactedResponse> {
  const input = parseInput(compactResponseSchema, raw);
  const model = ctx.model;
  if (!model) {
    throw new ServiceUnavailableError('No model is configured to compact with.');
  }
  const history = [
    ...(input.previousResponseId ? await previousTurns(ctx, input.previousResponseId) : []),
    ...toStoredItems(input.input),
  ];
  // The budget, allow-list and rate limit of a create: this is a metered model call too. Once
  // let through the request is counted, as a run whose model call then fails is.
  await admitModelWork(ctx, input.model);
  const messages = [
    ...chatMessages(input.instructions ?? null, history),
    { role: 'system' as const, content: COMPACTION_INSTRUCTIONS },
  ];
  const { summary, usage } = await summarise(model, {
    model: input.model,
    projectId: ctx.actor.projectId,
    messages,
    signal: new AbortController().signal,
  });
  await ctx.db.usageRecord.create({
    data: {
      projectId: ctx.actor.projectId,
      apiKeyId: ctx.actor.apiKeyId,
      kind: 'completions',
      model: input.model,
      inputTokens: usage.promptTokens,
      outputTokens: usage.completionTokens,
    },
  });
  const userMessages = history.filter((item) => item.type === 'message' && item.role === 'user');
  return {
    id: newId('response'),
    object: 'response.compaction',
    created_at: Math.floor(Date.now() / 1000),
    output: [
      ...userMessages,
      { id: newId('compaction'), type: 'compaction', encrypted_content: summary },
    ],
    usage: responseUsage(usage),
  };
}

/** The model's one answer; its failure is the request's (nothing was written yet). */
async function summarise(
  model: NonNullable<ServiceContext['model']>,
  request: ChatRequest,
): Promise<{ summary: string; usage: ModelUsage }> {
  let summary = '';
  let usage: ModelUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  try {
    for await (const event of model.stream(request)) {
      if (event.type === 'text') {
        summary += event.delta;
      } else if (event.type === 'done' && event.usage) {
        usage = event.usage;
      }
    }
  } catch (error) {
    if (error instanceof ModelError) {
      throw new UpstreamModelError(
        `The model failed to compact the conversation: ${error.message}`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  return { summary, usage };
}
