import { z } from 'zod';

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

// What the engine stores in `run_steps.step_details` and `runs.required_action`, as zod schemas
// of the types above (annotated, so the two cannot drift), for reading rows back.

const functionToolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string(), output: z.string().nullable() }),
});

const fileSearchToolCallSchema = z.object({
  id: z.string(),
  type: z.literal('file_search'),
  fileSearch: z.object({
    rankingOptions: z.object({
      ranker: z.enum(['auto', 'default_2024_08_21']),
      scoreThreshold: z.number(),
    }),
    results: z.array(
      z.object({
        fileId: z.string(),
        fileName: z.string(),
        score: z.number(),
        content: z.array(z.object({ type: z.literal('text'), text: z.string() })),
      }),
    ),
  }),
  modelArguments: z.string(),
});

const codeInterpreterOutputSchema: z.ZodType<CodeInterpreterOutput> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('logs'), logs: z.string() }),
  z.object({ type: z.literal('image'), image: z.object({ fileId: z.string() }) }),
]);

const codeInterpreterToolCallSchema = z.object({
  id: z.string(),
  type: z.literal('code_interpreter'),
  codeInterpreter: z.object({ input: z.string(), outputs: z.array(codeInterpreterOutputSchema) }),
  files: z.array(z.object({ path: z.string(), fileId: z.string() })),
  modelArguments: z.string(),
});

// Discriminated unions: one lookup by `type` instead of trying each member (steps are read on
// every poll of a run's steps).
const toolCallSchema: z.ZodType<ToolCall> = z.discriminatedUnion('type', [
  functionToolCallSchema,
  fileSearchToolCallSchema,
  codeInterpreterToolCallSchema,
]);

export const stepDetailsSchema: z.ZodType<StepDetails> = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message_creation'),
    messageCreation: z.object({ messageId: z.string() }),
  }),
  z.object({ type: z.literal('tool_calls'), toolCalls: z.array(toolCallSchema) }),
]);

export const requiredActionSchema: z.ZodType<RequiredAction> = z.object({
  type: z.literal('submit_tool_outputs'),
  submitToolOutputs: z.object({
    toolCalls: z.array(
      z.object({
        id: z.string(),
        type: z.literal('function'),
        function: z.object({ name: z.string(), arguments: z.string() }),
      }),
    ),
  }),
});

export function isFunctionCall(call: ToolCall): call is FunctionToolCall {
  return call.type === 'function';
}
