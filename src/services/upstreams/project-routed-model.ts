import type { PrismaClient } from '../../db/prisma.js';
import { queryRaw } from '../../db/raw-sql.js';
import { Prisma } from '../../generated/prisma/client.js';
import type { ChatModel } from '../../models/chat-model.js';
import { createOpenAIChatModel, createOpenAIClient } from '../../models/openai-chat-model.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import { parseJsonColumn } from '../common/json-column.js';
import { providerSecretsSchema } from './providers.js';

interface ProjectRoute {
  upstreamModel: string | null;
  provider: { id: string; baseUrl: string; secrets: string | null };
}

/**
 * The project's route for `model`: an exact route, else its longest prefix route. Null: the
 * project routes nothing there, and the server's routes (MODEL_ROUTES_FILE, LLM_BASE_URL) apply.
 * One raw statement: every run asks this, and two model queries through Prisma's query
 * compiler cost more CPU than the statement.
 */
async function projectRoute(
  db: PrismaClient,
  projectId: string,
  model: string,
): Promise<ProjectRoute | null> {
  const [route] = await queryRaw<{
    upstreamModel: string | null;
    providerId: string;
    baseUrl: string;
    secrets: string | null;
  }>(
    db,
    Prisma.sql`SELECT r.upstream_model AS "upstreamModel", p.id AS "providerId",
                      p.base_url AS "baseUrl", p.secrets
       FROM model_routes r JOIN upstream_providers p ON p.id = r.provider_id
      WHERE r.project_id = ${projectId}
        AND ((NOT r.prefix AND r.match = ${model})
          OR (r.prefix AND starts_with(${model}::text, r.match)))
      ORDER BY r.prefix, length(r.match) DESC
      LIMIT 1`,
  );
  return route
    ? {
        upstreamModel: route.upstreamModel,
        provider: { id: route.providerId, baseUrl: route.baseUrl, secrets: route.secrets },
      }
    : null;
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
