import type { EndDetails, EndStatus } from '../store/run-endings.js';
import type { Usage } from '../usage.js';

/**
 * Tokens left for a completion when the run sets no `max_completion_tokens`: kept free of the
 * prompt so the model has room to answer (upstreams like vLLM refuse a prompt that leaves none).
 */
export const DEFAULT_COMPLETION_RESERVE = 4_096;

/**
 * The share of the window the prompt may take by our count. Prompts are counted with
 * o200k_base whatever the model; other tokenizers (Llama, Qwen…) count the same text a little
 * differently, and the chat template adds a few tokens per message.
 */
const TOKENIZER_MARGIN = 0.95;

/** How many prompt tokens a model call may send, and what sets the bound. */
export interface PromptBudget {
  tokens: number;
  limitedBy: 'max_prompt_tokens' | 'context_window';
  /** The model's context window, for messages. */
  contextWindow: number;
}

/**
 * The prompt budget of a model call: the run's `max_prompt_tokens` when it is the smaller,
 * else what fits the model's context window beside the completion (`completionLeft`, the run's
 * `max_completion_tokens` not used yet, else DEFAULT_COMPLETION_RESERVE; at most half the
 * window either way).
 */
export function promptBudget(
  maxPromptTokens: number | null,
  completionLeft: number | null,
  contextWindow: number,
): PromptBudget {
  const reserve = Math.min(
    completionLeft ?? DEFAULT_COMPLETION_RESERVE,
    Math.floor(contextWindow / 2),
  );
  const windowTokens = Math.floor((contextWindow - reserve) * TOKENIZER_MARGIN);
  return maxPromptTokens !== null && maxPromptTokens <= windowTokens
    ? { tokens: maxPromptTokens, limitedBy: 'max_prompt_tokens', contextWindow }
    : { tokens: windowTokens, limitedBy: 'context_window', contextWindow };
}

/**
 * How a run ends when not even its newest message fits: `incomplete` (`max_prompt_tokens`) when
 * the run's own limit is the bound, as OpenAI does; `failed` with `invalid_prompt` when the
 * model's window is, since no setting of the run can make it fit.
 */
export function promptTooLong(
  model: string,
  budget: PromptBudget,
  neededTokens: number,
  usage: Usage | null,
): [EndStatus, EndDetails] {
  if (budget.limitedBy === 'max_prompt_tokens') {
    return ['incomplete', { reason: 'max_prompt_tokens', usage }];
  }
  return [
    'failed',
    {
      lastError: {
        code: 'invalid_prompt',
        message:
          `The newest message with the run's instructions, tools and steps takes about ` +
          `${neededTokens} tokens, more than model '${model}' can take: its context window is ` +
          `${budget.contextWindow} tokens, ${budget.tokens} of them for the prompt. ` +
          'Shorten the message, or set the route’s contextWindow if the model takes more.',
      },
      usage,
    },
  ];
}
