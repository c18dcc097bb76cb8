import type { Env } from '../env.js';
import type { ChatModel } from './chat-model.js';
import { createModelRouter, loadModelRoutes } from './model-router.js';

/**
 * The upstream for runs: routes from `MODEL_ROUTES_FILE` (model name or prefix → base URL, key,
 * upstream name), with `LLM_BASE_URL`/`LLM_API_KEY` as the default for every other name (it
 * replaces a default given in the file). With neither, runs fail with a clear `last_error`.
 */
export async function createModelFromEnv(env: Env): Promise<ChatModel> {
  const fromFile = env.MODEL_ROUTES_FILE ? await loadModelRoutes(env.MODEL_ROUTES_FILE) : null;
  return createModelRouter(
    {
      routes: fromFile?.routes ?? [],
      default: env.LLM_BASE_URL
        ? {
            baseURL: env.LLM_BASE_URL,
            ...(env.LLM_API_KEY ? { apiKey: env.LLM_API_KEY } : {}),
            ...(env.LLM_CONTEXT_WINDOW ? { contextWindow: env.LLM_CONTEXT_WINDOW } : {}),
          }
        : fromFile?.default,
    },
    { maxRetries: env.LLM_MAX_RETRIES },
  );
}
