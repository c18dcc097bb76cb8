import { z } from 'zod';

/** Token counts of a run or a step, as stored (camelCase) and shown (snake_case by compat). */
export const usageSchema = z.object({
  promptTokens: z.number(),
  completionTokens: z.number(),
  totalTokens: z.number(),
  /** Of `promptTokens`, those the upstream read from its prompt cache; metered, not shown. */
  cachedPromptTokens: z.number().optional(),
});

export type Usage = z.infer<typeof usageSchema>;

export function addUsage(a: Usage | null, b: Usage | null): Usage | null {
  if (!a) {
    return b;
  }
  if (!b) {
    return a;
  }
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    ...(a.cachedPromptTokens === undefined && b.cachedPromptTokens === undefined
      ? {}
      : { cachedPromptTokens: (a.cachedPromptTokens ?? 0) + (b.cachedPromptTokens ?? 0) }),
  };
}
