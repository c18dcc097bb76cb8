import type {
  ChatRequest,
  ChatResponseFormat,
  ChatTool,
  ChatToolChoice,
} from '../../../models/chat-model.js';
import type { ResponseFormat } from '../../assistants/response-format.js';
import type { ToolChoice } from '../run-input.js';
import type { EngineRun } from './engine-run.js';
import { BUILTIN_FUNCTION_NAMES, builtinChatTool } from './tools/definitions.js';

/**
 * The run's tools in OpenAI's chat format. Server-side tools (file_search, code_interpreter) are
 * offered as functions the worker answers, unless `builtins` is false (the model has used up
 * its rounds of them and must now answer).
 */
export function chatTools(run: Pick<EngineRun, 'tools'>, builtins = true): ChatTool[] {
  return run.tools.flatMap((tool): ChatTool[] =>
    tool.type !== 'function'
      ? builtins
        ? [builtinChatTool(tool.type)]
        : []
      : [
          {
            type: 'function',
            function: {
              name: tool.function.name,
              ...(tool.function.description ? { description: tool.function.description } : {}),
              ...(tool.function.parameters ? { parameters: tool.function.parameters } : {}),
              ...(tool.function.strict ? { strict: true } : {}),
            },
          },
        ],
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
    case 'file_search':
    case 'code_interpreter':
      return { type: 'function', function: { name: BUILTIN_FUNCTION_NAMES[choice.type] } };
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

/** After this many rounds of server-side calls in a row, the model is asked to answer. */
export const MAX_BUILTIN_ROUNDS = 8;

/** The upstream request for one model call of a run. */
export function chatRequest(
  run: EngineRun,
  messages: ChatRequest['messages'],
  maxCompletionTokens: number | null,
  signal: AbortSignal,
  /** Server-side tool rounds already done in this execution (see `MAX_BUILTIN_ROUNDS`). */
  builtinRounds = 0,
): ChatRequest {
  const offerBuiltins = builtinRounds < MAX_BUILTIN_ROUNDS;
  const tools = chatTools(run, offerBuiltins);
  const choice = run.toolChoice;
  // A forced tool choice asks for one use, not a loop: once a server-side call has answered it,
  // the model is free to reply.
  const forced = choice !== null && choice.type !== 'none' && choice.type !== 'auto';
  return {
    model: run.model,
    projectId: run.projectId,
    messages,
    ...(tools.length > 0
      ? {
          tools,
          toolChoice: builtinRounds > 0 && forced ? 'auto' : chatToolChoice(choice),
          parallelToolCalls: run.parallelToolCalls,
        }
      : {}),
    temperature: run.temperature,
    topP: run.topP,
    maxCompletionTokens,
    responseFormat: chatResponseFormat(run.responseFormat),
    signal,
  };
}
