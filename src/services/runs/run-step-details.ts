/** A function call the model made, with the caller's output once submitted. */
export interface FunctionToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string; output: string | null };
}

/** One retrieved chunk, as a file_search call reports it. */
export interface FileSearchResult {
  fileId: string;
  fileName: string;
  /** In [0, 1]. */
  score: number;
  /** Always stored; REST shows it only with `include[]=…file_search.results[*].content`. */
  content: { type: 'text'; text: string }[];
}

/** A file_search call, executed by the worker. */
export interface FileSearchToolCall {
  id: string;
  type: 'file_search';
  fileSearch: {
    rankingOptions: { ranker: 'auto' | 'default_2024_08_21'; scoreThreshold: number };
    results: FileSearchResult[];
  };
  /** What the model asked for (never shown on the wire): replayed to it with the results. */
  modelArguments: string;
}

export type CodeInterpreterOutput =
  | { type: 'logs'; logs: string }
  | { type: 'image'; image: { fileId: string } };

/** A code_interpreter call, executed in the sandbox by the worker. */
export interface CodeInterpreterToolCall {
  id: string;
  type: 'code_interpreter';
  codeInterpreter: { input: string; outputs: CodeInterpreterOutput[] };
  /** Files the code wrote, by their sandbox path (`/mnt/data/…`), for `file_path` annotations. */
  files: { path: string; fileId: string }[];
  modelArguments: string;
}

export type BuiltinToolCall = FileSearchToolCall | CodeInterpreterToolCall;
export type ToolCall = FunctionToolCall | BuiltinToolCall;

/** A step's `step_details`, stored camelCase. */
export type StepDetails =
  | { type: 'message_creation'; messageCreation: { messageId: string } }
  | { type: 'tool_calls'; toolCalls: ToolCall[] };

/** What a run in requires_action asks the caller for. */
export interface RequiredAction {
  type: 'submit_tool_outputs';
  submitToolOutputs: {
    toolCalls: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  };
}

export function isFunctionCall(call: ToolCall): call is FunctionToolCall {
  return call.type === 'function';
}
