import type { ServiceContext } from '../../../context.js';
import { parseJsonColumn } from '../../common/json-column.js';
import { imageDataUrl } from '../../files/image-data-url.js';
import { BUILTIN_FUNCTION_NAMES } from '../../runs/engine/tools/definitions.js';
import { builtinOutputForModel } from '../../runs/engine/tools/model-output.js';
import { stepDetails as stepDetailsOf } from '../../runs/run-columns.js';
import { isFunctionCall, type StepDetails } from '../../runs/run-step-details.js';
import { type MessageContent, storedMessageContentSchema } from '../../threads/message-content.js';
import type { StoredItem } from '../response-input.js';

/**
 * An Assistants thread read as Responses items, oldest first: what a response created with
 * `conversation: 'thread_…'` sees before its own input. Three kinds of history make up a thread:
 *
 * - messages added through the Assistants API (or with a thread): message items;
 * - runs: each run's completed steps in order, its tool calls as `function_call` items followed by
 *   their `function_call_output`s (file_search and code_interpreter as the functions the run
 *   engine offered the model, with what it was told they returned), its messages in between;
 * - earlier responses on the thread: their input and output items, their messages read where the
 *   thread has them (so a message deleted through the Assistants API is gone from history too)
 *   and their function calls and outputs, which a thread has no message for, from the response.
 *
 * Each is placed by when it happened: a message when it was created, a run when it started (no
 * message can be added while it is active), a response's turn when it was appended.
 */

interface ThreadMessage {
  id: string;
  seq: bigint;
  createdAt: Date;
  role: string;
  content: unknown;
  runId: string | null;
}

interface Block {
  at: number;
  /** Among blocks at the same millisecond, messages and turns go before a run. */
  rank: number;
  seq: bigint;
  items: () => Promise<StoredItem[]>;
}

function contentOf(message: ThreadMessage): MessageContent[] {
  return parseJsonColumn(storedMessageContentSchema, message.content, {
    table: 'messages',
    id: message.id,
    column: 'content',
  });
}

/** A thread message as a message item (annotations are not shown to the model). */
async function messageItem(ctx: ServiceContext, message: ThreadMessage): Promise<StoredItem> {
  const assistant = message.role === 'assistant';
  const parts = await Promise.all(
    contentOf(message).map(async (part): Promise<Record<string, unknown> | null> => {
      const text =
        part.type === 'text' ? part.text.value : part.type === 'refusal' ? part.refusal : null;
      if (text !== null) {
        return assistant
          ? { type: 'output_text', text, annotations: [] }
          : { type: 'input_text', text };
      }
      if (assistant) {
        // An assistant message's images (code_interpreter's charts) have no output_text form.
        return null;
      }
      if (part.type === 'image_url') {
        return { type: 'input_image', image_url: part.imageUrl.url, detail: part.imageUrl.detail };
      }
      if (part.type === 'image_file') {
        const url = await imageDataUrl(ctx, part.imageFile.fileId);
        return url
          ? { type: 'input_image', image_url: url, detail: part.imageFile.detail }
          : { type: 'input_text', text: `[image file ${part.imageFile.fileId} was deleted]` };
      }
      return null;
    }),
  );
  return {
    id: message.id,
    type: 'message',
    role: assistant ? 'assistant' : 'user',
    status: 'completed',
    content: parts.filter((part) => part !== null),
  };
}

/** A run's tool_calls step as function calls, then their outputs (as the run engine replays). */
function toolStepItems(
  details: Extract<StepDetails, { type: 'tool_calls' }>,
  ordinal: { fileSearch: number },
): StoredItem[] {
  const calls: StoredItem[] = [];
  const outputs: StoredItem[] = [];
  for (const call of details.toolCalls) {
    const builtin = !isFunctionCall(call);
    calls.push({
      id: call.id,
      type: 'function_call',
      status: 'completed',
      call_id: call.id,
      name: builtin ? BUILTIN_FUNCTION_NAMES[call.type] : call.function.name,
      arguments: builtin ? call.modelArguments : call.function.arguments,
    });
    let output: string;
    if (builtin) {
      output = builtinOutputForModel(call, ordinal.fileSearch);
      ordinal.fileSearch += call.type === 'file_search' ? 1 : 0;
    } else {
      output = call.function.output ?? '';
    }
    outputs.push({
      id: `${call.id}_output`,
      type: 'function_call_output',
      status: 'completed',
      call_id: call.id,
      output,
    });
  }
  return [...calls, ...outputs];
}

export async function threadHistory(ctx: ServiceContext, threadId: string): Promise<StoredItem[]> {
  const [messages, runs, steps, responses] = await Promise.all([
    ctx.db.message.findMany({
      where: { threadId, status: { not: 'in_progress' } },
      orderBy: { seq: 'asc' },
      select: {
        id: true,
        seq: true,
        createdAt: true,
        role: true,
        content: true,
        runId: true,
      },
    }),
    ctx.db.run.findMany({ where: { threadId }, select: { id: true, createdAt: true } }),
    ctx.db.runStep.findMany({
      where: { threadId, status: 'completed' },
      orderBy: { seq: 'asc' },
      select: { id: true, runId: true, stepDetails: true },
    }),
    ctx.db.response.findMany({
      where: { threadId, status: { in: ['completed', 'incomplete'] } },
      select: {
        createdAt: true,
        completedAt: true,
        items: { orderBy: [{ kind: 'asc' }, { position: 'asc' }], select: { data: true } },
      },
    }),
  ]);
  const messagesById = new Map(messages.map((message) => [message.id, message]));
  const placed = new Set<string>();
  const blocks: Block[] = [];

  // A run's steps, in order; the messages they created are placed with them.
  const stepsByRun = new Map<string, StepDetails[]>();
  for (const step of steps) {
    const details = stepDetailsOf(step);
    stepsByRun.set(step.runId, [...(stepsByRun.get(step.runId) ?? []), details]);
    if (details.type === 'message_creation') {
      placed.add(details.messageCreation.messageId);
    }
  }
  for (const run of runs) {
    const runSteps = stepsByRun.get(run.id) ?? [];
    blocks.push({
      at: run.createdAt.getTime(),
      rank: 1,
      seq: 0n,
      items: async () => {
        const ordinal = { fileSearch: 0 };
        const items: StoredItem[] = [];
        for (const details of runSteps) {
          if (details.type === 'tool_calls') {
            items.push(...toolStepItems(details, ordinal));
          } else {
            const message = messagesById.get(details.messageCreation.messageId);
            if (message) {
              items.push(await messageItem(ctx, message));
            }
          }
        }
        return items;
      },
    });
  }

  // A response's turn: its messages are the ones it appended (created after it was), where the
  // thread still has them; an item it re-sent stays where it first was.
  for (const response of responses) {
    const items = response.items.map((row) => row.data as StoredItem);
    const own = items.flatMap((item) => {
      const message = item.type === 'message' ? messagesById.get(item.id) : undefined;
      return message && !placed.has(message.id) && message.createdAt >= response.createdAt
        ? [message]
        : [];
    });
    for (const message of own) {
      placed.add(message.id);
    }
    const ownIds = new Set(own.map((message) => message.id));
    const firstOwn = own[0];
    blocks.push({
      at: (firstOwn?.createdAt ?? response.completedAt ?? response.createdAt).getTime(),
      rank: 0,
      seq: firstOwn?.seq ?? 0n,
      items: async () =>
        items.filter((item) =>
          item.type === 'message'
            ? ownIds.has(item.id)
            : item.type === 'function_call' || item.type === 'function_call_output',
        ),
    });
  }

  for (const message of messages) {
    if (!placed.has(message.id)) {
      blocks.push({
        at: message.createdAt.getTime(),
        rank: 0,
        seq: message.seq,
        items: async () => [await messageItem(ctx, message)],
      });
    }
  }

  blocks.sort(
    (a, b) => a.at - b.at || a.rank - b.rank || (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0),
  );
  const items: StoredItem[] = [];
  for (const block of blocks) {
    items.push(...(await block.items()));
  }
  return items;
}
