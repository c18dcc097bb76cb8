import { splitPieces } from '../../../ingestion/tokenizer.js';
import type { ChatMessage } from '../../../models/chat-model.js';

/** Tokens a chat message costs beyond its content (role, separators), as OpenAI documents. */
export const MESSAGE_OVERHEAD_TOKENS = 4;

/**
 * What an image costs, by `detail`. OpenAI charges 85 tokens at low detail and 85 + 170 per
 * 512-pixel tile at high detail. The image is not decoded to count its tiles: a 1024x1024
 * image's four tiles (765) stand for every image at high or auto detail.
 */
const IMAGE_TOKENS = { low: 85, high: 765, auto: 765 } as const;

/**
 * Tokens of a text in o200k_base, the tokenizer of OpenAI's current models. Other upstreams
 * (Llama, Qwen…) tokenize differently, but no single tokenizer fits them all and this one is
 * far closer than counting characters: Chinese or Japanese text has about one token per
 * character, where a characters-per-token estimate saw a third of that. Counted piece by piece
 * (memoised, long runs sliced), so a long run of one character does not take minutes.
 */
export function countTokens(text: string): number {
  let tokens = 0;
  for (const piece of splitPieces(text, Number.MAX_SAFE_INTEGER)) {
    tokens += piece.tokens;
  }
  return tokens;
}

function contentTokens(content: ChatMessage['content']): number {
  if (content === null || content === undefined) {
    return 0;
  }
  if (typeof content === 'string') {
    return countTokens(content);
  }
  let tokens = 0;
  for (const part of content) {
    if (part.type === 'text') {
      tokens += countTokens(part.text);
    } else if (part.type === 'image_url') {
      // The image travels inline as a data URL: its base64 is not what the model reads.
      tokens += IMAGE_TOKENS[part.image_url.detail ?? 'auto'];
    } else if (part.type === 'refusal') {
      tokens += countTokens(part.refusal);
    }
  }
  return tokens;
}

/** What a chat message costs in the prompt: its text, images and tool calls, plus overhead. */
export function chatMessageTokens(message: ChatMessage): number {
  let tokens = MESSAGE_OVERHEAD_TOKENS + contentTokens(message.content);
  if (message.role === 'assistant') {
    for (const call of message.tool_calls ?? []) {
      if (call.type === 'function') {
        tokens += countTokens(call.function.name) + countTokens(call.function.arguments);
      }
    }
  }
  return tokens;
}
