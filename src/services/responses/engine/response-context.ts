import type { ChatMessage, ChatTool } from '../../../models/chat-model.js';
import { chatMessageTokens, countTokens } from '../../runs/engine/token-count.js';
import type { StoredItem } from '../response-input.js';
import { chatMessages } from './response-chat.js';

/** OpenAI's words for an input that does not fit (the 400, and the stream's `error` event). */
export const CONTEXT_OVERFLOW_MESSAGE =
  'Your input exceeds the context window of this model. Please adjust your input and try again.';

function messagesTokens(messages: ChatMessage[]): number {
  return messages.reduce((sum, message) => sum + chatMessageTokens(message), 0);
}

/** The prompt tokens of instructions, items and tools, counted as the runs engine counts them. */
export function promptTokens(
  instructions: string | null,
  items: StoredItem[],
  tools: readonly ChatTool[],
  codeOutputs?: ReadonlyMap<string, string>,
): number {
  return (
    messagesTokens(chatMessages(instructions, items, codeOutputs)) +
    (tools.length > 0 ? countTokens(JSON.stringify(tools)) : 0)
  );
}

export type FittedContext =
  | { fits: true; items: StoredItem[]; dropped: number }
  | { fits: false; neededTokens: number };

/**
 * The items a model call sends within `budget` prompt tokens. The response's own output so far
 * is always sent (the model continues from it). With `truncation: 'disabled'` the earlier items
 * (history, then the input) are all sent or the call does not fit; with `'auto'` the oldest are
 * dropped until the rest fits (the newest input item must), as OpenAI's truncation drops items
 * from the beginning of the conversation. A function call's output is never sent without it.
 */
export function fitContext(args: {
  instructions: string | null;
  earlier: StoredItem[];
  output: StoredItem[];
  tools: readonly ChatTool[];
  budget: number;
  truncation: string;
  /** What the model was told of this execution's code calls (see `chatMessages`). */
  codeOutputs?: ReadonlyMap<string, string>;
}): FittedContext {
  const { earlier, output, budget } = args;
  const all = [...earlier, ...output];
  const total = promptTokens(args.instructions, all, args.tools, args.codeOutputs);
  if (total <= budget) {
    return { fits: true, items: all, dropped: 0 };
  }
  const fixed = promptTokens(args.instructions, output, args.tools, args.codeOutputs);
  // Each item's own cost (consecutive calls share one message when sent: a slight overcount).
  const costs = earlier.map((item) => messagesTokens(chatMessages(null, [item])));
  if (args.truncation !== 'auto') {
    return { fits: false, neededTokens: total };
  }
  let used = fixed;
  let kept = 0;
  for (let index = earlier.length - 1; index >= 0; index -= 1) {
    const cost = costs[index] ?? 0;
    if (used + cost > budget) {
      break;
    }
    used += cost;
    kept += 1;
  }
  if (kept === 0 && earlier.length > 0) {
    return { fits: false, neededTokens: fixed + (costs.at(-1) ?? 0) };
  }
  if (used > budget) {
    return { fits: false, neededTokens: used };
  }
  let items = earlier.slice(earlier.length - kept);
  const calls = new Set(
    items.filter((item) => item.type === 'function_call').map((item) => String(item.call_id)),
  );
  items = items.filter(
    (item) => item.type !== 'function_call_output' || calls.has(String(item.call_id)),
  );
  return { fits: true, items: [...items, ...output], dropped: earlier.length - items.length };
}
