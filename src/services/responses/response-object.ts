import type { StoredItem } from './response-input.js';

/** Token counts in OpenAI's Responses shape. */
export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ModelUsage = { promptTokens: number; completionTokens: number; totalTokens: number };

export function responseUsage(usage: ModelUsage): ResponseUsage;
export function responseUsage(usage: ModelUsage | null): ResponseUsage | null;
export function responseUsage(usage: ModelUsage | null): ResponseUsage | null {
  return usage
    ? {
        input_tokens: usage.promptTokens,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: usage.completionTokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: usage.totalTokens,
      }
    : null;
}

/** The columns the wire object shows (a row, or one about to be written). */
export interface ResponseFields {
  id: string;
  createdAt: Date;
  status: string;
  background: boolean;
  completedAt: Date | null;
  conversationId: string | null;
  /** The thread named as the conversation (the migration bridge). */
  threadId: string | null;
  error: unknown;
  incompleteDetails: unknown;
  instructions: string | null;
  maxOutputTokens: number | null;
  metadata: unknown;
  model: string;
  parallelToolCalls: boolean;
  previousResponseId: string | null;
  store: boolean;
  temperature: number | null;
  text: unknown;
  toolChoice: unknown;
  tools: unknown;
  topP: number | null;
  usage: unknown;
  include: readonly string[];
  truncation: string;
}

const seconds = (date: Date | null): number | null =>
  date === null ? null : Math.floor(date.getTime() / 1000);

/** The text of every output_text part of the output's messages, concatenated (the SDK's). */
export function outputText(output: readonly StoredItem[]): string {
  let text = '';
  for (const item of output) {
    if (item.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content as { type?: string; text?: string }[]) {
        if (part.type === 'output_text' && typeof part.text === 'string') {
          text += part.text;
        }
      }
    }
  }
  return text;
}

/**
 * An item as the caller sees it: a file_search_call carries its `results` only when the
 * response asked for them (`include: ['file_search_call.results']`), a code_interpreter_call its
 * `outputs` only with `code_interpreter_call.outputs`. Stored items always keep them, so the
 * model sees the same passages and outputs on the next turn whatever was shown.
 */
export function presentItem(item: StoredItem, include: readonly string[]): StoredItem {
  if (item.type === 'file_search_call' && !include.includes('file_search_call.results')) {
    return { ...item, results: null };
  }
  if (item.type === 'code_interpreter_call' && !include.includes('code_interpreter_call.outputs')) {
    return { ...item, outputs: null };
  }
  return item;
}

/**
 * A response as OpenAI's Responses API shows it: the one place the wire object is built, for
 * reads and for the snapshots inside stream events alike, so the two never disagree.
 */
export function responseObject(
  row: ResponseFields,
  stored: readonly StoredItem[],
): Record<string, unknown> {
  const output = stored.map((item) => presentItem(item, row.include));
  return {
    id: row.id,
    object: 'response',
    created_at: seconds(row.createdAt),
    status: row.status,
    background: row.background,
    completed_at: seconds(row.completedAt),
    conversation:
      (row.threadId ?? row.conversationId) ? { id: row.threadId ?? row.conversationId } : null,
    error: row.error ?? null,
    incomplete_details: row.incompleteDetails ?? null,
    instructions: row.instructions,
    max_output_tokens: row.maxOutputTokens,
    metadata: row.metadata,
    model: row.model,
    output,
    output_text: outputText(output),
    parallel_tool_calls: row.parallelToolCalls,
    previous_response_id: row.previousResponseId,
    reasoning: { effort: null, summary: null },
    store: row.store,
    temperature: row.temperature ?? 1,
    text: row.text,
    tool_choice: row.toolChoice,
    tools: row.tools,
    top_p: row.topP ?? 1,
    truncation: row.truncation,
    // Not nullable in OpenAI's schema: absent until the response has used tokens.
    ...(row.usage ? { usage: row.usage } : {}),
  };
}
