import type { ChatMessage, ChatRequest, ChatTool } from '../../../models/chat-model.js';
import { BUILTIN_FUNCTION_NAMES, builtinChatTool } from '../../runs/engine/tools/definitions.js';
import type {
  ResponseText,
  ResponseTool,
  ResponseToolChoice,
  StoredItem,
} from '../response-input.js';
import { fileSearchOutputForModel } from './response-file-search.js';

interface Part {
  type?: string;
  text?: string;
  image_url?: string | null;
  detail?: 'low' | 'high' | 'auto';
}

/** How a compaction item's summary is introduced to the model. */
export const COMPACTION_PREAMBLE = 'Summary of the earlier conversation:';

function textOf(parts: Part[]): string {
  return parts.map((part) => part.text ?? '').join('');
}

/**
 * Responses items as chat messages for any OpenAI-compatible upstream: messages keep their role
 * (`developer` becomes `system`, which every server knows), consecutive function calls become
 * one assistant message's `tool_calls`, their outputs `tool` messages.
 */
export function chatMessages(
  instructions: string | null,
  items: StoredItem[],
  /** What the model was told of each code_interpreter call (by item id); else its logs. */
  codeOutputs: ReadonlyMap<string, string> = new Map(),
): ChatMessage[] {
  const messages: ChatMessage[] = instructions ? [{ role: 'system', content: instructions }] : [];
  // file_search calls are numbered in order: the ordinal in their passages' citation markers.
  let searchOrdinal = 0;
  for (const item of items) {
    if (item.type === 'file_search_call') {
      // The model called file_search as a function; it sees the call and the passages again.
      const queries = Array.isArray(item.queries) ? (item.queries as string[]) : [];
      messages.push(
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: item.id,
              type: 'function',
              function: {
                name: BUILTIN_FUNCTION_NAMES.file_search,
                arguments: JSON.stringify({ query: queries.join(' ') }),
              },
            },
          ],
        },
        {
          role: 'tool',
          tool_call_id: item.id,
          content: fileSearchOutputForModel(item, searchOrdinal),
        },
      );
      searchOrdinal += 1;
    } else if (item.type === 'function_call' || item.type === 'code_interpreter_call') {
      const call =
        item.type === 'function_call'
          ? {
              id: String(item.call_id),
              type: 'function' as const,
              function: { name: String(item.name), arguments: String(item.arguments) },
            }
          : {
              id: item.id,
              type: 'function' as const,
              function: {
                name: BUILTIN_FUNCTION_NAMES.code_interpreter,
                arguments: JSON.stringify({ code: item.code ?? '' }),
              },
            };
      const last = messages.at(-1);
      if (last?.role === 'assistant' && last.tool_calls) {
        last.tool_calls.push(call);
      } else {
        messages.push({ role: 'assistant', content: null, tool_calls: [call] });
      }
      if (item.type === 'code_interpreter_call') {
        messages.push({
          role: 'tool',
          tool_call_id: item.id,
          content: codeOutputs.get(item.id) ?? codeLogs(item),
        });
      }
    } else if (item.type === 'function_call_output') {
      messages.push({
        role: 'tool',
        tool_call_id: String(item.call_id),
        content: String(item.output),
      });
    } else if (item.type === 'compaction') {
      // A summary from `responses/compact` stands in for the history it replaced.
      messages.push({
        role: 'system',
        content: `${COMPACTION_PREAMBLE}\n\n${String(item.encrypted_content)}`,
      });
    } else if (item.type === 'message') {
      const parts = (item.content ?? []) as Part[];
      const role = item.role;
      if (role === 'assistant') {
        messages.push({ role: 'assistant', content: textOf(parts) });
      } else if (role === 'system' || role === 'developer') {
        messages.push({ role: 'system', content: textOf(parts) });
      } else if (parts.some((part) => part.type === 'input_image')) {
        messages.push({
          role: 'user',
          content: parts.map((part) =>
            part.type === 'input_image'
              ? { type: 'image_url', image_url: { url: part.image_url ?? '', detail: part.detail } }
              : { type: 'text', text: part.text ?? '' },
          ),
        });
      } else {
        messages.push({ role: 'user', content: textOf(parts) });
      }
    }
  }
  return messages;
}

/** A code_interpreter call's logs, as a later turn shows it to the model. */
function codeLogs(item: StoredItem): string {
  const outputs = Array.isArray(item.outputs) ? (item.outputs as { logs?: unknown }[]) : [];
  const logs = outputs.map((output) => (typeof output.logs === 'string' ? output.logs : ''));
  return logs.join('') || '(no output)';
}

/** Function tools as they are; file_search and code_interpreter as functions the worker answers. */
function chatTools(tools: ResponseTool[]): ChatTool[] {
  return tools.map((tool) =>
    tool.type === 'file_search' || tool.type === 'code_interpreter'
      ? builtinChatTool(tool.type)
      : functionTool(tool),
  );
}

function functionTool(tool: Extract<ResponseTool, { type: 'function' }>): ChatTool {
  return {
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      ...(tool.parameters ? { parameters: tool.parameters } : {}),
      ...(tool.strict ? { strict: true } : {}),
    },
  };
}

function chatToolChoice(choice: ResponseToolChoice): NonNullable<ChatRequest['toolChoice']> {
  if (typeof choice === 'string') {
    return choice;
  }
  const name = choice.type === 'function' ? choice.name : BUILTIN_FUNCTION_NAMES[choice.type];
  return { type: 'function', function: { name } };
}

/** The one upstream request of a response. */
export function responseChatRequest(
  response: {
    model: string;
    temperature: number | null;
    topP: number | null;
    maxOutputTokens: number | null;
    parallelToolCalls: boolean;
    tools: ResponseTool[];
    toolChoice: ResponseToolChoice;
    text: ResponseText;
  },
  messages: ChatMessage[],
  signal: AbortSignal,
): ChatRequest {
  const format = response.text.format;
  const choice = response.toolChoice;
  return {
    model: response.model,
    messages,
    ...(response.tools.length > 0
      ? {
          tools: chatTools(response.tools),
          toolChoice: chatToolChoice(choice),
          parallelToolCalls: response.parallelToolCalls,
        }
      : {}),
    temperature: response.temperature,
    topP: response.topP,
    maxCompletionTokens: response.maxOutputTokens,
    responseFormat:
      format.type === 'json_object'
        ? { type: 'json_object' }
        : format.type === 'json_schema'
          ? {
              type: 'json_schema',
              json_schema: {
                name: format.name,
                schema: format.schema,
                ...(format.description ? { description: format.description } : {}),
                ...(format.strict != null ? { strict: format.strict } : {}),
              },
            }
          : undefined,
    signal,
  };
}
