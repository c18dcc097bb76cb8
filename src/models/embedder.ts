import { APIError } from 'openai';
import { normalize } from '../retrieval/float-vectors.js';
import { createOpenAIClient, type OpenAIClientOptions } from './openai-chat-model.js';

/** Turns texts into vectors through an OpenAI-compatible `/embeddings` endpoint. */
export interface Embedder {
  /** The model name sent upstream; recorded on every chunk it embeds. */
  readonly model: string;
  /** One L2-normalised vector per input, in input order. Throws `EmbeddingError`. */
  embed(inputs: string[], options?: { signal?: AbortSignal }): Promise<Embeddings>;
}

/** The vectors of one `embed` call, and what it cost upstream (for metering). */
export interface Embeddings {
  vectors: Float32Array[];
  /** The upstream's `usage.prompt_tokens`, summed over the requests (0 when it sends none). */
  inputTokens: number;
  /** `/embeddings` requests sent (inputs are batched). */
  requests: number;
}

export class EmbeddingError extends Error {
  override name = 'EmbeddingError';
}

export interface EmbedderOptions extends OpenAIClientOptions {
  model: string;
  /** Inputs per request (Default: 64; OpenAI allows 2048 inputs and 300k tokens per request). */
  batchSize?: number;
}

/**
 * An `Embedder` over OpenAI's `/embeddings` (or any compatible server: Ollama, vLLM, llama.cpp,
 * text-embeddings-inference…). Transient failures are retried by the SDK with backoff.
 */
export function createOpenAIEmbedder(options: EmbedderOptions): Embedder {
  const client = createOpenAIClient(options);
  const batchSize = options.batchSize ?? 64;
  return {
    model: options.model,
    async embed(inputs, { signal } = {}) {
      const vectors: Float32Array[] = [];
      let inputTokens = 0;
      let requests = 0;
      for (let start = 0; start < inputs.length; start += batchSize) {
        const batch = inputs.slice(start, start + batchSize);
        let data: { index: number; embedding: number[] }[];
        try {
          const answer = await client.embeddings.create(
            { model: options.model, input: batch },
            { signal },
          );
          data = answer.data;
          // Some compatible servers send no usage; their calls still count as requests.
          inputTokens += answer.usage?.prompt_tokens ?? 0;
          requests += 1;
        } catch (error) {
          const detail =
            error instanceof APIError
              ? `${error.status ?? 'network'}: ${error.message}`
              : String(error);
          throw new EmbeddingError(`The embedding model '${options.model}' failed (${detail}).`, {
            cause: error,
          });
        }
        if (data.length !== batch.length) {
          throw new EmbeddingError(
            `The embedding model '${options.model}' returned ${data.length} vectors for ${batch.length} inputs.`,
          );
        }
        // Servers may answer out of order; `index` is authoritative.
        for (const item of [...data].sort((a, b) => a.index - b.index)) {
          vectors.push(normalize(item.embedding));
        }
      }
      return { vectors, inputTokens, requests };
    },
  };
}
