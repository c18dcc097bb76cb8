import type { PrismaClient } from '../../db/prisma.js';
import type { ChatModel } from '../../models/chat-model.js';
import { createOpenAIChatModel, createOpenAIClient } from '../../models/openai-chat-model.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import { parseJsonColumn } from '../common/json-column.js';
import { providerSecretsSchema } from './providers.js';

/**
 * The project's route for `model`: an exact route, else its longest prefix route. Null: the
 * project routes nothing there, and the server's routes (MODEL_ROUTES_FILE, LLM_BASE_URL) apply.
 */
async function projectRoute(db: PrismaClient, projectId: string, model: string) {
  const routes = await db.modelRoute.findMany({
    where: { projectId },
    include: { provider: true },
  });
  const exact = routes.find((route) => !route.prefix && route.match === model);
  if (exact) {
    return exact;
  }
  const prefixes = routes
    .filter((route) => route.prefix && model.startsWith(route.match))
    .sort((a, b) => b.match.length - a.match.length);
  return prefixes[0] ?? null;
}

/**
 * Sends each call to its project's provider when the project routes the model, with the
 * provider's credentials opened only here; otherwise to `fallback` (the server's routes).
 * Providers are never updated in place (a new one gets a new id), so models are kept per id.
 */
export function createProjectRoutedModel(
  db: PrismaClient,
  box: SecretBox | null,
  fallback: ChatModel,
): ChatModel {
  const models = new Map<string, ChatModel>();
  return {
    // A project's routes name no window (and reading them is async): the server's routes, or
    // the model family's, decide it. A project whose upstream's window is smaller than that
    // gets the upstream's context-length answer, which ends the run with invalid_prompt.
    contextWindow: (model) => fallback.contextWindow(model),
    async *stream(request) {
      const route = request.projectId
        ? await projectRoute(db, request.projectId, request.model)
        : null;
      if (!route) {
        yield* fallback.stream(request);
        return;
      }
      const { provider } = route;
      const cacheKey = `${provider.id}:${route.upstreamModel ?? ''}`;
      let model = models.get(cacheKey);
      if (!model) {
        const secrets =
          provider.secrets === null || !box
            ? { apiKey: null, headers: {} }
            : parseJsonColumn(providerSecretsSchema, JSON.parse(box.open(provider.secrets)), {
                table: 'upstream_providers',
                id: provider.id,
                column: 'secrets',
              });
        const upstream = {
          baseURL: provider.baseUrl,
          ...(secrets.apiKey === null ? {} : { apiKey: secrets.apiKey }),
          ...(route.upstreamModel === null ? {} : { model: route.upstreamModel }),
        };
        // withOptions replaces the default headers: a keyless upstream keeps no Authorization.
        const client = createOpenAIClient(upstream).withOptions({
          defaultHeaders: {
            ...(secrets.apiKey === null ? { Authorization: null } : {}),
            ...secrets.headers,
          },
        });
        model = createOpenAIChatModel(upstream, { client });
        models.set(cacheKey, model);
      }
      yield* model.stream(request);
    },
  };
}
