import type { ServiceContext } from '../../../context.js';
import { queryRaw } from '../../../db/raw-sql.js';
import { Prisma } from '../../../generated/prisma/client.js';
import type { ChatMessage, ChatTool } from '../../../models/chat-model.js';
import { parseJsonColumn } from '../../common/json-column.js';
import { imageDataUrl } from '../../files/image-data-url.js';
import { type MessageContent, storedMessageContentSchema } from '../../threads/message-content.js';
import { stepDetails as stepDetailsOf } from '../run-columns.js';
import { isFunctionCall, type StepDetails } from '../run-step-details.js';
import type { EngineRun } from './engine-run.js';
import type { PromptBudget } from './prompt-budget.js';
import { chatMessageTokens, countTokens } from './token-count.js';
import { BUILTIN_FUNCTION_NAMES } from './tools/definitions.js';
import { builtinOutputForModel } from './tools/model-output.js';

export type RunContext =
  | { fits: true; messages: ChatMessage[] }
  | {
      fits: false;
      budget: PromptBudget;
      /** The tokens of the smallest prompt worth sending: the newest message and what is fixed. */
      neededTokens: number;
    };

type UserPart =
  | { type: 'text'; text: string }
  | {
      type: 'image_url';
      image_url: { url: string; detail: 'auto' | 'low' | 'high' };
    };

async function userPart(ctx: ServiceContext, part: MessageContent): Promise<UserPart> {
  if (part.type === 'text') {
    return { type: 'text', text: part.text.value };
  }
  if (part.type === 'image_url') {
    return {
      type: 'image_url',
      image_url: { url: part.imageUrl.url, detail: part.imageUrl.detail },
    };
  }
  if (part.type === 'image_file') {
    const url = await imageDataUrl(ctx, part.imageFile.fileId);
    return url
      ? { type: 'image_url', image_url: { url, detail: part.imageFile.detail } }
      : { type: 'text', text: `[image file ${part.imageFile.fileId} was deleted]` };
  }
  return { type: 'text', text: part.refusal };
}

async function contentToChat(
  ctx: ServiceContext,
  role: 'user' | 'assistant',
  parts: MessageContent[],
): Promise<ChatMessage> {
  if (role === 'assistant') {
    const text = parts.map((part) => (part.type === 'text' ? part.text.value : '')).join('');
    return { role: 'assistant', content: text };
  }
  return {
    role: 'user',
    content: await Promise.all(parts.map((part) => userPart(ctx, part))),
  };
}

interface RunInputs {
  /** The thread's messages but this run's own, in order. */
  threadMessages: { role: string; content: MessageContent[] }[];
  /** This run's completed steps, in order, with the content of the message a step created. */
  ownSteps: { stepDetails: StepDetails; messageContent: MessageContent[] | null }[];
}

/** A message's content read along with the run's inputs: null when no message joined. */
function contentOf(messageId: string | null, content: unknown): MessageContent[] | null {
  return messageId === null
    ? null
    : parseJsonColumn(storedMessageContentSchema, content, {
        table: 'messages',
        id: messageId,
        column: 'content',
      });
}

/**
 * Everything a model call reads, in one round trip (raw SQL: this is every run's first read).
 */
async function readRunInputs(ctx: ServiceContext, run: EngineRun): Promise<RunInputs> {
  // The ids only name a row whose JSON is corrupt.
  const rows = await queryRaw<{
    own: boolean;
    role: string | null;
    messageId: string | null;
    content: unknown;
    stepId: string | null;
    stepDetails: unknown;
  }>(
    ctx.db,
    Prisma.sql`
    SELECT own, role, message_id AS "messageId", content, step_id AS "stepId",
           step_details AS "stepDetails" FROM (
      SELECT false AS own, m.seq, m.role, m.id AS message_id, m.content, NULL AS step_id,
             NULL::jsonb AS step_details
        FROM messages m
       WHERE m.thread_id = ${run.threadId} AND (m.run_id IS NULL OR m.run_id <> ${run.id})
      UNION ALL
      SELECT true, s.seq, NULL, m.id, m.content, s.id, s.step_details
        FROM run_steps s
        LEFT JOIN messages m ON m.id = s.step_details->'messageCreation'->>'messageId'
       WHERE s.run_id = ${run.id} AND s.status = 'completed'
    ) AS inputs
    ORDER BY own, seq`,
  );
  return {
    threadMessages: rows.flatMap(({ own, role, messageId, content }) =>
      own ? [] : [{ role: role ?? 'user', content: contentOf(messageId, content) ?? [] }],
    ),
    ownSteps: rows.flatMap(({ own, stepId, stepDetails: details, messageId, content }) =>
      own
        ? [
            {
              stepDetails: stepDetailsOf({ id: stepId ?? '', stepDetails: details }),
              messageContent: contentOf(messageId, content),
            },
          ]
        : [],
    ),
  };
}

/**
 * What the model sees for this run: the run's instructions as the system message, the thread's
 * messages in order (trimmed by the truncation strategy, then oldest first to fit `budget`:
 * `max_prompt_tokens` or the model's context window), then this run's own steps so far (its
 * tool calls and their outputs). `tools` are the functions offered, which take prompt tokens too.
 */
export async function buildRunContext(
  ctx: ServiceContext,
  run: EngineRun,
  budget: PromptBudget,
  tools: readonly ChatTool[],
): Promise<RunContext> {
  const { threadMessages, ownSteps } = await readRunInputs(ctx, run);
  let history = await Promise.all(
    threadMessages.map((message) =>
      contentToChat(ctx, message.role as 'user' | 'assistant', message.content),
    ),
  );
  const truncation = run.truncationStrategy;
  if (truncation?.type === 'last_messages' && truncation.lastMessages !== null) {
    history = history.slice(-truncation.lastMessages);
  }

  const ownMessages: ChatMessage[] = [];
  // file_search calls are numbered in step order: the ordinal in their citation markers.
  let fileSearchOrdinal = 0;
  for (const step of ownSteps) {
    const details = step.stepDetails;
    if (details.type === 'message_creation') {
      if (step.messageContent) {
        ownMessages.push(await contentToChat(ctx, 'assistant', step.messageContent));
      }
    } else {
      ownMessages.push({
        role: 'assistant',
        content: null,
        tool_calls: details.toolCalls.map((call) => ({
          id: call.id,
          type: 'function' as const,
          function: isFunctionCall(call)
            ? { name: call.function.name, arguments: call.function.arguments }
            : { name: BUILTIN_FUNCTION_NAMES[call.type], arguments: call.modelArguments },
        })),
      });
      for (const call of details.toolCalls) {
        let content: string;
        if (isFunctionCall(call)) {
          content = call.function.output ?? '';
        } else {
          content = builtinOutputForModel(call, fileSearchOrdinal);
          fileSearchOrdinal += call.type === 'file_search' ? 1 : 0;
        }
        ownMessages.push({ role: 'tool', tool_call_id: call.id, content });
      }
    }
  }

  const system: ChatMessage[] = run.instructions
    ? [{ role: 'system', content: run.instructions }]
    : [];
  // Oldest messages go first: the newest that fit are kept, counted from the newest back, so a
  // long thread is tokenized only as far as the budget reaches. The newest message is what the
  // run answers, so it must fit.
  const fixedTokens =
    [...system, ...ownMessages].reduce((sum, message) => sum + chatMessageTokens(message), 0) +
    (tools.length > 0 ? countTokens(JSON.stringify(tools)) : 0);
  let total = fixedTokens;
  let kept = 0;
  let newestTokens = 0;
  for (const message of history.toReversed()) {
    const tokens = chatMessageTokens(message);
    newestTokens ||= tokens;
    if (total + tokens > budget.tokens) {
      break;
    }
    total += tokens;
    kept += 1;
  }
  if (total > budget.tokens || (history.length > 0 && kept === 0)) {
    return { fits: false, budget, neededTokens: fixedTokens + newestTokens };
  }
  history = history.slice(history.length - kept);
  return { fits: true, messages: [...system, ...history, ...ownMessages] };
}
