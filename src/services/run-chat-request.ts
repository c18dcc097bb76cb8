import type { Run } from '../generated/prisma/client.js';
import type {
  ChatRequest,
  ChatResponseFormat,
  ChatTool,
  ChatToolChoice,
} from '../models/chat-model.js';
import type { AssistantTool } from './assistant-tools.js';
import type { ResponseFormat } from './response-format.js';
import type { ToolChoice } from './run-input.js';

/** Function tools in OpenAI's chat format; server-side tools are not offered yet (#6, #7). */
export function chatTools(run: Run): ChatTool[] {
  return (run.tools as unknown as AssistantTool[]).flatMap((tool): ChatTool[] =>
    tool.type === 'function'
      ? [
          {
            type: 'function',
            function: {
              name: tool.function.name,
              ...(tool.function.description ? { description: tool.function.description } : {}),
              ...(tool.function.parameters ? { parameters: tool.function.parameters } : {}),
              ...(tool.function.strict ? { strict: true } : {}),
            },
          },
        ]
      : [],
  );
}

function chatToolChoice(choice: ToolChoice | null): ChatToolChoice | undefined {
  if (!choice) {
    return undefined;
  }
  switch (choice.type) {
    case 'none':
    case 'auto':
    case 'required':
      return choice.type;
    case 'function':
      return { type: 'function', function: { name: choice.function.name } };
    default:
      return 'required';
  }
}

function chatResponseFormat(format: ResponseFormat | null): ChatResponseFormat {
  if (!format || format.type === 'auto' || format.type === 'text') {
    return undefined;
  }
  if (format.type === 'json_object') {
    return { type: 'json_object' };
  }
  if (format.type === 'json_schema') {
    return {
      type: 'json_schema',
      json_schema: {
        name: format.jsonSchema.name,
        ...(format.jsonSchema.description ? { description: format.jsonSchema.description } : {}),
        ...(format.jsonSchema.schema ? { schema: format.jsonSchema.schema } : {}),
        ...(format.jsonSchema.strict !== null && format.jsonSchema.strict !== undefined
          ? { strict: format.jsonSchema.strict }
          : {}),
      },
    };
  }
  return undefined;
}

/** The upstream request for one model call of a run. */
export function chatRequest(
  run: Run,
  messages: ChatRequest['messages'],
  maxCompletionTokens: number | null,
  signal: AbortSignal,
): ChatRequest {
  const tools = chatTools(run);
  return {
    model: run.model,
    messages,
    ...(tools.length > 0
      ? {
          tools,
          toolChoice: chatToolChoice(run.toolChoice as ToolChoice | null),
          parallelToolCalls: run.parallelToolCalls,
        }
      : {}),
    temperature: run.temperature,
    topP: run.topP,
    maxCompletionTokens,
    responseFormat: chatResponseFormat(run.responseFormat as ResponseFormat | null),
    signal,
  };
}
