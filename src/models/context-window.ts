/**
 * Context windows (prompt and completion together, in tokens) of well-known model families, by
 * name prefix; the longest matching prefix wins. A route's `contextWindow` overrides these.
 */
const KNOWN_CONTEXT_WINDOWS: readonly (readonly [prefix: string, tokens: number])[] = [
  ['gpt-5', 400_000],
  ['gpt-4.1', 1_047_576],
  ['gpt-4o', 128_000],
  ['gpt-4.5', 128_000],
  ['gpt-4-turbo', 128_000],
  ['gpt-4-32k', 32_768],
  ['gpt-4', 8_192],
  ['gpt-3.5-turbo', 16_385],
  ['o1-mini', 128_000],
  ['o1', 200_000],
  ['o3', 200_000],
  ['o4-mini', 200_000],
  ['chatgpt-4o', 128_000],
  ['llama3.1', 131_072],
  ['llama3.2', 131_072],
  ['llama3.3', 131_072],
  ['llama3', 8_192],
  ['qwen2.5', 32_768],
  ['qwen3', 40_960],
  ['mistral', 32_768],
  ['claude', 200_000],
];

/**
 * For a model nobody described: small enough for most servers a self-hosted install points at
 * (vLLM and llama.cpp serve 8k+ windows), so the oldest messages are dropped rather than the
 * run failing upstream. Routes set `contextWindow` for larger ones.
 */
export const DEFAULT_CONTEXT_WINDOW = 8_192;

/**
 * The context window of `model` (the upstream's name for it): from the table above, matched
 * without case and with any `vendor/` path (`openai/gpt-4o`, `meta-llama/…`) ignored, else
 * DEFAULT_CONTEXT_WINDOW.
 */
export function knownContextWindow(model: string): number {
  const name = model.toLowerCase().slice(model.lastIndexOf('/') + 1);
  let best: readonly [string, number] | undefined;
  for (const entry of KNOWN_CONTEXT_WINDOWS) {
    if (name.startsWith(entry[0]) && entry[0].length > (best?.[0].length ?? 0)) {
      best = entry;
    }
  }
  return best?.[1] ?? DEFAULT_CONTEXT_WINDOW;
}
