import type OpenAI from 'openai';

/**
 * The upstream model as the run engine sees it: one streamed chat completion per call, in
 * OpenAI's chat format, whatever server (OpenAI, Ollama, vLLM, llama.cpp, Azure…) is behind it.
 */

export type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
export type ChatTool = OpenAI.Chat.Completions.ChatCompletionTool;
export type ChatToolChoice = OpenAI.Chat.Completions.ChatCompletionToolChoiceOption;
export type ChatResponseFormat =
  OpenAI.Chat.Completions.ChatCompletionCreateParams['response_format'];

export interface ChatRequest {
  /** The model name the run asked for; routing maps it to an upstream and its own name. */
  model: string;
  /** The project the call is for: its own model routes come before the server's. */
  projectId?: string;
  messages: ChatMessage[];
  tools?: ChatTool[];
  toolChoice?: ChatToolChoice;
  parallelToolCalls?: boolean;
  temperature?: number | null;
  topP?: number | null;
  /** Upper bound on generated tokens for this call. */
  maxCompletionTokens?: number | null;
  responseFormat?: ChatResponseFormat;
  /** Aborting it must abort the upstream HTTP request (run cancellation). */
  signal: AbortSignal;
}

export interface ChatUsage {
  promptTokens: number;
  /** Of `promptTokens`, those the provider served from its prompt cache (when it says). */
  cachedPromptTokens?: number;
  completionTokens: number;
  totalTokens: number;
}

export type ChatEvent =
  | { type: 'text'; delta: string }
  | {
      type: 'tool_call';
      /** Position of the call in this completion (parallel calls have 0, 1, …). */
      index: number;
      /** Present on the first delta of a call. */
      id?: string;
      name?: string;
      argumentsDelta?: string;
    }
  | {
      type: 'done';
      finishReason: 'stop' | 'length' | 'tool_calls' | 'content_filter' | null;
      /** Null when the upstream reports none. */
      usage: ChatUsage | null;
    };

export interface ChatModel {
  /** Tokens `model` (the requested name) takes in prompt and completion together. */
  contextWindow(model: string): number;
  /** Streams one completion. Throws `ModelError` for upstream failures. */
  stream(request: ChatRequest): AsyncIterable<ChatEvent>;
}

/** OpenAI's `last_error.code` values for runs. */
export type ModelErrorCode = 'server_error' | 'rate_limit_exceeded' | 'invalid_prompt';

/** An upstream failure, classified the way a run reports it. */
export class ModelError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ModelError';
  }
}
