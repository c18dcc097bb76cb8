/**
 * Approximate token count: ~4 characters per token for English-like text, plus a per-message
 * overhead. Upstreams tokenize differently (Llama, Qwen, GPT), so no single real tokenizer is
 * right for all; the estimate errs on the side of more tokens, which keeps prompts under
 * `max_prompt_tokens`.
 */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 3.5);
}

/** Tokens a chat message costs beyond its text (role, separators), as OpenAI documents. */
export const MESSAGE_OVERHEAD_TOKENS = 4;
