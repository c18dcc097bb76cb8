import { readFile } from 'node:fs/promises';
import type OpenAI from 'openai';
import { z } from 'zod';
import { type ChatModel, ModelError } from './chat-model.js';
import { knownContextWindow } from './context-window.js';
import {
  createOpenAIChatModel,
  createOpenAIClient,
  type OpenAIUpstream,
} from './openai-chat-model.js';

const upstreamFields = {
  baseURL: z.url({
    protocol: /^https?$/,
    error: 'must be an http(s) URL, e.g. http://localhost:11434/v1',
  }),
  apiKey: z.string().min(1).optional(),
  /** See `OpenAIUpstream.maxTokensParameter`. */
  maxTokensParameter: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  /** See `OpenAIUpstream.contextWindow`. */
  contextWindow: z.number().int().min(1_024).max(100_000_000).optional(),
};

const routeSchema = z.strictObject({
  /** A model name, or with `prefix` the start of model names (`"ollama/"`, `"gpt-"`). */
  match: z.string().min(1),
  prefix: z.boolean().optional(),
  ...upstreamFields,
  /** The upstream's own name for the model. Absent: the requested name is sent. */
  model: z.string().min(1).optional(),
});

/** Where each requested model name goes. Strict: a misspelt key is an error, not ignored. */
export const modelRoutingConfigSchema = z
  .strictObject({
    /** For names no route matches; the requested name is sent unchanged. */
    default: z.strictObject(upstreamFields).optional(),
    routes: z.array(routeSchema).default([]),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.routes.forEach((route, index) => {
      const key = `${route.prefix ? 'prefix' : 'exact'}:${route.match}`;
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', index, 'match'],
          message: `'${route.match}' is already routed by routes[${first}]`,
        });
      }
      seen.set(key, first ?? index);
    });
  });

export type ModelRoutingConfig = z.input<typeof modelRoutingConfigSchema>;
export type ModelRoute = z.input<typeof routeSchema>;

export class ModelRoutesError extends Error {
  override name = 'ModelRoutesError';
}

/** Reads and validates a routes file; throws `ModelRoutesError` naming the file and the field. */
export async function loadModelRoutes(path: string): Promise<ModelRoutingConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelRoutesError(`Cannot read the model routes file ${path}: ${reason}`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelRoutesError(`The model routes file ${path} is not valid JSON: ${reason}`, {
      cause: error,
    });
  }
  const result = modelRoutingConfigSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const field = issue.path
        .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
        .join('')
        .replace(/^\./, '');
      return `${field || '(file)'}: ${issue.message}`;
    });
    throw new ModelRoutesError(`Invalid model routes file ${path}:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

/**
 * The upstream for a model name: an exact route, else the longest matching prefix route (the
 * first listed on a tie), else the default. Null when nothing applies.
 */
export function resolveModelRoute(
  config: ModelRoutingConfig,
  model: string,
): OpenAIUpstream | null {
  const routes = config.routes ?? [];
  const exact = routes.find((route) => !route.prefix && route.match === model);
  if (exact) {
    return exact;
  }
  let best: ModelRoute | undefined;
  for (const route of routes) {
    if (
      route.prefix &&
      model.startsWith(route.match) &&
      route.match.length > (best?.match.length ?? -1)
    ) {
      best = route;
    }
  }
  return best ?? config.default ?? null;
}

/**
 * A `ChatModel` that sends each request to the upstream its model name routes to. One SDK client
 * (one connection pool) per distinct upstream URL and key.
 */
export function createModelRouter(
  config: ModelRoutingConfig,
  options: { maxRetries?: number } = {},
): ChatModel {
  const clients = new Map<string, OpenAI>();
  // Keyed by the config's own objects, which resolveModelRoute returns.
  const models = new Map<OpenAIUpstream, ChatModel>();
  const modelFor = (upstream: OpenAIUpstream): ChatModel => {
    let model = models.get(upstream);
    if (!model) {
      const key = JSON.stringify([upstream.baseURL, upstream.apiKey ?? null]);
      let client = clients.get(key);
      if (!client) {
        client = createOpenAIClient({ ...upstream, maxRetries: options.maxRetries });
        clients.set(key, client);
      }
      model = createOpenAIChatModel(upstream, { client });
      models.set(upstream, model);
    }
    return model;
  };

  return {
    contextWindow(model) {
      const route = resolveModelRoute(config, model);
      return route ? modelFor(route).contextWindow(model) : knownContextWindow(model);
    },
    async *stream(request) {
      const route = resolveModelRoute(config, request.model);
      if (!route) {
        throw new ModelError(
          'server_error',
          `No upstream is configured for model '${request.model}'. Set LLM_BASE_URL for a default ` +
            'OpenAI-compatible upstream, or route this model in the MODEL_ROUTES_FILE JSON file.',
        );
      }
      yield* modelFor(route).stream(request);
    },
  };
}
