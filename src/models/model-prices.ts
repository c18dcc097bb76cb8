import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/** USD per 1M tokens, per model name (`MODEL_PRICES_FILE`). A model not listed costs nothing. */
const modelPricesSchema = z.record(
  z.string().min(1),
  z.strictObject({
    input: z.number().min(0),
    output: z.number().min(0).default(0),
  }),
);

export type ModelPrices = z.output<typeof modelPricesSchema>;

export class ModelPricesError extends Error {
  override name = 'ModelPricesError';
}

/** Reads and checks the prices file at startup, so a typo stops the server instead of billing 0. */
export async function loadModelPrices(path: string): Promise<ModelPrices> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelPricesError(`Cannot read the model prices file ${path}: ${reason}`, {
      cause: error,
    });
  }
  const result = modelPricesSchema.safeParse(json);
  if (!result.success) {
    const [issue] = result.error.issues;
    throw new ModelPricesError(
      `The model prices file ${path} is invalid at '${issue?.path.join('.') ?? ''}': ${issue?.message ?? 'unknown'}. Expected { "<model>": { "input": <USD per 1M tokens>, "output": <USD per 1M tokens> } }.`,
    );
  }
  return result.data;
}
