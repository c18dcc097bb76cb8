// GraphQL documents, result types and response types for test/graphql/runs.test.ts: the
// GraphQL counterpart of compat/operations/runs.graphql, kept apart so the tests stay readable.

const RUN_FIELDS = `
  id createdAt threadId assistantId status model instructions metadata
  startedAt completedAt cancelledAt failedAt expiresAt incompleteDetails { reason }
  lastError { code message }
  usage { promptTokens completionTokens totalTokens }
  requiredAction {
    type submitToolOutputs { toolCalls { id type function { name arguments } } }
  }
  toolChoice { type function { name } }
  maxPromptTokens parallelToolCalls
`;
const STEP_FIELDS = `
  id runId threadId assistantId type status completedAt cancelledAt metadata
  usage { promptTokens completionTokens totalTokens }
  stepDetails {
    type messageCreation { messageId } toolCalls { id type function { name arguments output } }
  }
`;

export const CREATE_ASSISTANT = `mutation ($input: CreateAssistantInput!) {
  createAssistant(input: $input) { id }
}`;
export const CREATE_THREAD = `mutation ($input: CreateThreadInput) { createThread(input: $input) { id } }`;
export const CREATE_RUN = `mutation ($threadId: ID!, $input: CreateRunInput!) {
  createRun(threadId: $threadId, input: $input) { ${RUN_FIELDS} }
}`;
export const CREATE_THREAD_AND_RUN = `mutation ($input: CreateThreadAndRunInput!) {
  createThreadAndRun(input: $input) { ${RUN_FIELDS} }
}`;
export const GET_RUN = `query ($threadId: ID!, $id: ID!) { run(threadId: $threadId, id: $id) { ${RUN_FIELDS} } }`;
export const LIST_RUNS = `query ($threadId: ID!) {
  runs(threadId: $threadId) { nodes { id status } pageInfo { hasNextPage } }
}`;
export const UPDATE_RUN = `mutation ($threadId: ID!, $id: ID!, $metadata: JSON) {
  updateRun(threadId: $threadId, id: $id, metadata: $metadata) { ${RUN_FIELDS} }
}`;
export const CANCEL_RUN = `mutation ($threadId: ID!, $id: ID!) {
  cancelRun(threadId: $threadId, id: $id) { ${RUN_FIELDS} }
}`;
export const SUBMIT_TOOL_OUTPUTS = `mutation ($threadId: ID!, $id: ID!, $toolOutputs: [ToolOutputInput!]!) {
  submitToolOutputs(threadId: $threadId, id: $id, toolOutputs: $toolOutputs) { ${RUN_FIELDS} }
}`;
export const RUN_STEPS = `query ($threadId: ID!, $runId: ID!, $order: SortOrder) {
  runSteps(threadId: $threadId, runId: $runId, order: $order) {
    edges { cursor }
    nodes { ${STEP_FIELDS} }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
export const RUN_STEP = `query ($threadId: ID!, $runId: ID!, $id: ID!) {
  runStep(threadId: $threadId, runId: $runId, id: $id) { ${STEP_FIELDS} }
}`;
export const MESSAGES = `query ($threadId: ID!, $runId: String, $order: SortOrder) {
  messages(threadId: $threadId, runId: $runId, order: $order) {
    nodes { id role status runId assistantId content { type text { value } } }
  }
}`;

interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface Run {
  id: string;
  createdAt: number;
  threadId: string;
  assistantId: string;
  status: string;
  model: string;
  instructions: string;
  metadata: Record<string, string>;
  startedAt: number | null;
  completedAt: number | null;
  cancelledAt: number | null;
  failedAt: number | null;
  expiresAt: number | null;
  incompleteDetails: { reason: string | null } | null;
  lastError: { code: string; message: string } | null;
  usage: Usage | null;
  requiredAction: {
    type: string;
    submitToolOutputs: {
      toolCalls: { id: string; type: string; function: { name: string; arguments: string } }[];
    };
  } | null;
  toolChoice: { type: string; function: { name: string } | null } | null;
  maxPromptTokens: number | null;
  parallelToolCalls: boolean;
}

export interface Step {
  id: string;
  runId: string;
  threadId: string;
  assistantId: string;
  type: string;
  status: string;
  completedAt: number | null;
  cancelledAt: number | null;
  metadata: Record<string, string>;
  usage: Usage | null;
  stepDetails: {
    type: string;
    messageCreation: { messageId: string } | null;
    toolCalls:
      | {
          id: string;
          type: string;
          function: { name: string; arguments: string; output: string | null };
        }[]
      | null;
  };
}

export interface StepConnection {
  edges: { cursor: string }[];
  nodes: Step[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

export interface Message {
  id: string;
  role: string;
  status: string;
  runId: string | null;
  assistantId: string | null;
  content: { type: string; text: { value: string } | null }[];
}

export const text = (value: string) => ({ type: 'text', text: value });
