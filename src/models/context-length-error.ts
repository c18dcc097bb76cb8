/**
 * How OpenAI-compatible servers say a prompt is longer than the model's context window: OpenAI's
 * `context_length_exceeded` code, vLLM's "maximum context length" / `max_model_len`, llama.cpp's
 * "exceeds the available context size", Ollama's and proxies' wordings.
 */
const CONTEXT_LENGTH_WORDING =
  /context[ _-]length|context window|maximum context|context size|exceeds? the (available )?context|max_model_len|prompt is too long|input is too long|too many (input |prompt )?tokens/i;

/** True when an upstream's error (its code, or its message or body) says the prompt is too long. */
export function isContextLengthError(code: unknown, text: string): boolean {
  return code === 'context_length_exceeded' || CONTEXT_LENGTH_WORDING.test(text);
}

/**
 * `fetch` for the SDK that marks an upstream's retryable answer (5xx, 408, 409) saying the
 * prompt is too long as not retryable (`x-should-retry: false`, which the SDK obeys): the same
 * prompt fails the same way every time, and a run must end at once, not after every backoff.
 */
export async function fetchWithoutContextLengthRetries(
  input: string | URL | Request,
  init?: RequestInit,
): Promise<Response> {
  const response = await fetch(input, init);
  const retryable = response.status >= 500 || response.status === 408 || response.status === 409;
  if (!retryable) {
    return response;
  }
  // Error bodies are small; a 5xx carries no stream to keep.
  const body = await response.text();
  if (!isContextLengthError(null, body)) {
    return new Response(body, response);
  }
  const headers = new Headers(response.headers);
  headers.set('x-should-retry', 'false');
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
