/** A function call the model made, with the caller's output once submitted. */
export interface FunctionToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string; output: string | null };
}

export type ToolCall = FunctionToolCall;

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
