import type { ChatTool } from '../../../../models/chat-model.js';
import type { AssistantTool } from '../../../assistants/assistant-tools.js';

/**
 * The server-side tools, as the upstream model sees them: ordinary functions the worker answers
 * itself. The names are the tool types, so logs and upstream transcripts read naturally.
 */
export type BuiltinToolType = 'file_search' | 'code_interpreter';

export const BUILTIN_FUNCTION_NAMES: Record<BuiltinToolType, string> = {
  file_search: 'file_search',
  code_interpreter: 'code_interpreter',
};

const FILE_SEARCH_TOOL: ChatTool = {
  type: 'function',
  function: {
    name: BUILTIN_FUNCTION_NAMES.file_search,
    description:
      'Search the files the user provided (their knowledge base) and return the most relevant passages. ' +
      'Each passage starts with a marker such as 【0:1†report.pdf】; when you use a passage in your answer, ' +
      'cite it by copying its marker exactly, right after the statement it supports.',
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'What to look for, in natural language.' },
      },
      required: ['query'],
      additionalProperties: false,
    },
  },
};

const CODE_INTERPRETER_TOOL: ChatTool = {
  type: 'function',
  function: {
    name: BUILTIN_FUNCTION_NAMES.code_interpreter,
    description:
      'Run Python 3 code in a sandbox without network access and get what it prints. numpy, pandas and ' +
      'matplotlib are available. The working directory is /mnt/data: the user’s files are there, and files ' +
      'saved there (charts, CSVs) are returned to the user; link them as sandbox:/mnt/data/<name>. ' +
      'Variables persist between calls within one answer.',
    parameters: {
      type: 'object',
      properties: { code: { type: 'string', description: 'The Python source to run.' } },
      required: ['code'],
      additionalProperties: false,
    },
  },
};

/** The chat definition of an enabled server-side tool. */
export function builtinChatTool(type: BuiltinToolType): ChatTool {
  return type === 'file_search' ? FILE_SEARCH_TOOL : CODE_INTERPRETER_TOOL;
}

/** Which server-side tools a run offers, by the function name the model will call. */
export function enabledBuiltins(tools: AssistantTool[]): Map<string, BuiltinToolType> {
  const enabled = new Map<string, BuiltinToolType>();
  for (const tool of tools) {
    if (tool.type === 'file_search' || tool.type === 'code_interpreter') {
      enabled.set(BUILTIN_FUNCTION_NAMES[tool.type], tool.type);
    }
  }
  return enabled;
}
