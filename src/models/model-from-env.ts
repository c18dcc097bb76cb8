import type { Env } from '../env.js';
import { type ChatModel, ModelError } from './chat-model.js';

/**
 * The upstream for runs. Interim: routing to real upstreams lands with the model router; until
 * then every run fails with a clear `last_error` instead of hanging.
 */
export async function createModelFromEnv(_env: Env): Promise<ChatModel> {
  return {
    // biome-ignore lint/correctness/useYield: fails before producing anything, by design.
    async *stream(request) {
      throw new ModelError(
        'server_error',
        `No upstream model is configured for model '${request.model}'.`,
      );
    },
  };
}
