import OpenAI, { APIError, APIUserAbortError } from 'openai';
import {
  type ChatEvent,
  type ChatModel,
  type ChatRequest,
  type ChatUsage,
  ModelError,
} from './chat-model.js';
import { fetchWithoutContextLengthRetries, isContextLengthError } from './context-length-error.js';
import { knownContextWindow } from './context-window.js';

type CreateParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming;
type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;
type FinishReason = Extract<ChatEvent, { type: 'done' }>['finishReason'];

/** How to reach one OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp, Azure…). */
export interface OpenAIUpstream {
  /** Including the version path, e.g. `http://localhost:11434/v1`. */
  baseURL: string;
  /** Sent as a bearer token. Absent: no `Authorization` header at all (local servers). */
  apiKey?: string;
  /** The upstream's own name for the model. Absent: the requested name is sent as is. */
  model?: string;
  /**
   * Retries of transient failures (429, 408, 409, 5xx, connection errors, timeouts) done by the
   * SDK with exponential backoff from 0.5 s (capped at 8 s), or what `retry-after(-ms)` says.
   * (Default: 3)
   */
  maxRetries?: number;
  /**
   * The field carrying `maxCompletionTokens`. `max_tokens` is what every OpenAI-compatible server
   * knows (Ollama and LM Studio know nothing else); OpenAI's reasoning models (o-series, gpt-5)
   * reject it with a 400 and need `max_completion_tokens`. (Default: 'max_tokens')
   */
  maxTokensParameter?: 'max_tokens' | 'max_completion_tokens';
  /**
   * Tokens the model takes in prompt and completion together; runs drop their oldest messages
   * to fit it. (Default: the model family's, see `knownContextWindow`, else 8,192)
   */
  contextWindow?: number;
}

export type OpenAIClientOptions = Pick<OpenAIUpstream, 'baseURL' | 'apiKey' | 'maxRetries'>;

const DEFAULT_MAX_RETRIES = 3;

/** An SDK client for one upstream. Reads nothing from `process.env` (env.ts does that). */
export function createOpenAIClient(options: OpenAIClientOptions): OpenAI {
  return new OpenAI({
    baseURL: options.baseURL,
    // The SDK refuses to start without a credential; a keyless upstream gets a placeholder
    // that the null header below strips, so nothing misleading goes over the wire.
    apiKey: options.apiKey ?? 'none',
    ...(options.apiKey === undefined ? { defaultHeaders: { Authorization: null } } : {}),
    // Explicit nulls: otherwise the SDK picks up OPENAI_ORG_ID & co. and sends them to any host.
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    fetch: fetchWithoutContextLengthRetries,
  });
}

/**
 * A `ChatModel` over one OpenAI-compatible upstream's streamed chat completions. Pass `client` to
 * share one connection pool between several models of the same upstream.
 */
export function createOpenAIChatModel(
  upstream: OpenAIUpstream,
  options: { client?: OpenAI } = {},
): ChatModel {
  const client = options.client ?? createOpenAIClient(upstream);
  return {
    contextWindow: (model) => upstream.contextWindow ?? knownContextWindow(upstream.model ?? model),
    async *stream(request) {
      const { signal } = request;
      let finishReason: FinishReason = null;
      let usage: ChatUsage | null = null;
      try {
        const stream = await client.chat.completions.create(toCreateParams(upstream, request), {
          signal,
        });
        for await (const chunk of stream) {
          // Servers differ on where usage comes: a `choices: []` chunk (OpenAI) or the last one.
          if (chunk.usage) {
            usage = toUsage(chunk.usage);
          }
          const choice = chunk.choices[0];
          if (!choice) {
            continue;
          }
          yield* toEvents(choice.delta);
          if (choice.finish_reason) {
            finishReason =
              choice.finish_reason === 'function_call' ? 'tool_calls' : choice.finish_reason;
          }
        }
      } catch (error) {
        throw signal.aborted ? abortError(signal) : toModelError(error);
      }
      // The SDK ends the iteration quietly when the signal aborts the body: make it an abort.
      if (signal.aborted) {
        throw abortError(signal);
      }
      yield { type: 'done', finishReason, usage };
    },
  };
}

/** True for a cancellation (the request's signal aborted), as opposed to an upstream failure. */
export function isAbortError(error: unknown): boolean {
  return (
    error instanceof APIUserAbortError ||
    (typeof error === 'object' && error !== null && 'name' in error && error.name === 'AbortError')
  );
}

class ChatAbortError extends Error {
  override name = 'AbortError';
}

function abortError(signal: AbortSignal): ChatAbortError {
  return new ChatAbortError('The chat completion was aborted.', { cause: signal.reason });
}

function toCreateParams(upstream: OpenAIUpstream, request: ChatRequest): CreateParams {
  const params: CreateParams = {
    model: upstream.model ?? request.model,
    messages: request.messages,
    stream: true,
    stream_options: { include_usage: true },
  };
  // OpenAI rejects tool_choice and parallel_tool_calls without tools.
  if (request.tools && request.tools.length > 0) {
    params.tools = request.tools;
    if (request.toolChoice !== undefined) {
      params.tool_choice = request.toolChoice;
    }
    if (request.parallelToolCalls !== undefined) {
      params.parallel_tool_calls = request.parallelToolCalls;
    }
  }
  if (request.temperature != null) {
    params.temperature = request.temperature;
  }
  if (request.topP != null) {
    params.top_p = request.topP;
  }
  if (request.maxCompletionTokens != null) {
    if (upstream.maxTokensParameter === 'max_completion_tokens') {
      params.max_completion_tokens = request.maxCompletionTokens;
    } else {
      params.max_tokens = request.maxCompletionTokens;
    }
  }
  if (request.responseFormat) {
    params.response_format = request.responseFormat;
  }
  return params;
}

function* toEvents(delta: Chunk['choices'][number]['delta']): Generator<ChatEvent> {
  // Servers open with an empty `content: ''` next to the role; it carries nothing.
  if (delta.content) {
    yield { type: 'text', delta: delta.content };
  }
  for (const call of delta.tool_calls ?? []) {
    const event: Extract<ChatEvent, { type: 'tool_call' }> = {
      type: 'tool_call',
      index: call.index,
    };
    if (call.id) {
      event.id = call.id;
    }
    if (call.function?.name) {
      event.name = call.function.name;
    }
    if (call.function?.arguments) {
      event.argumentsDelta = call.function.arguments;
    }
    if (event.id !== undefined || event.name !== undefined || event.argumentsDelta !== undefined) {
      yield event;
    }
  }
}

function toUsage(usage: OpenAI.CompletionUsage): ChatUsage {
  const cached = usage.prompt_tokens_details?.cached_tokens;
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens,
    ...(typeof cached === 'number' ? { cachedPromptTokens: cached } : {}),
  };
}

/** What the upstream said, without the SDK's status prefix. */
function upstreamMessage(error: APIError): string {
  const body: unknown = error.error;
  if (typeof body === 'object' && body !== null && 'message' in body) {
    if (typeof body.message === 'string' && body.message.length > 0) {
      return body.message;
    }
  }
  return error.message;
}

function toModelError(error: unknown): ModelError {
  if (error instanceof APIError && error.status !== undefined) {
    const message = upstreamMessage(error);
    if (isContextLengthError(error.code, message)) {
      return new ModelError(
        'invalid_prompt',
        `The prompt is longer than the model's context window (context_length_exceeded): ${message} ` +
          'Set the route’s contextWindow (or LLM_CONTEXT_WINDOW) to the window the model has.',
        { cause: error },
      );
    }
    if (error.status === 429) {
      return new ModelError('rate_limit_exceeded', message, { cause: error });
    }
    // The request itself is wrong for this upstream (unknown model, context too long, bad
    // schema): retrying cannot help, and the message tells the user what to change.
    if (error.status === 400 || error.status === 404 || error.status === 422) {
      return new ModelError('invalid_prompt', message, { cause: error });
    }
    return new ModelError('server_error', `Upstream error ${error.status}: ${message}`, {
      cause: error,
    });
  }
  // Connection failures, timeouts, an error event or a broken connection mid-stream.
  const reason = error instanceof Error ? error.message : String(error);
  return new ModelError('server_error', `Upstream request failed: ${reason}`, { cause: error });
}
