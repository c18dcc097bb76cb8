import type { ServiceContext } from '../../../../context.js';
import { ModelError } from '../../../../models/chat-model.js';
import { searchVectorStores } from '../../../vector-stores/search/vector-search.js';
import {
  resolveRunVectorStores,
  touchVectorStores,
} from '../../../vector-stores/vector-store-activity.js';
import type { FileSearchToolCall } from '../../run-step-details.js';
import type { EngineRun } from '../engine-run.js';
import { stringArgument } from './partial-json.js';
import type { PendingBuiltinCall } from './runner.js';

/** OpenAI's default for gpt-4* models; the tool's `max_num_results` overrides it. */
const DEFAULT_MAX_RESULTS = 20;

/**
 * Searches the assistant's and the thread's vector stores for the model's query, honouring the
 * run's file_search options (`max_num_results`, `ranking_options`). The search counts as use of
 * the stores (their `last_active_at` expiry). An expired store fails the run, as OpenAI
 * documents: the caller must attach a new store.
 */
export async function runFileSearch(
  ctx: ServiceContext,
  run: EngineRun,
  call: PendingBuiltinCall,
): Promise<FileSearchToolCall> {
  const tool = run.tools.find((candidate) => candidate.type === 'file_search');
  const options = tool?.type === 'file_search' ? tool.fileSearch : null;
  const rankingOptions = {
    ranker: options?.rankingOptions?.ranker ?? 'auto',
    scoreThreshold: options?.rankingOptions?.scoreThreshold ?? 0,
  } as const;
  // A model that ignored the schema still gets a search: its raw arguments are the query.
  const query = (stringArgument(call.arguments, 'query') ?? call.arguments).trim();
  const stores = await resolveRunVectorStores(ctx, {
    assistantId: run.assistantId,
    threadId: run.threadId,
  });
  const [expired] = stores.expired;
  if (expired !== undefined) {
    throw new ModelError(
      'invalid_prompt',
      `Vector store ${expired} has expired. Create a new vector store with the same files and attach it to the assistant or thread.`,
    );
  }
  const vectorStoreIds = stores.usable;
  await touchVectorStores(ctx, vectorStoreIds);
  const results =
    vectorStoreIds.length === 0 || query === ''
      ? []
      : // The run's key, so the query's embedding is metered as the run's usage.
        await searchVectorStores(
          { ...ctx, actor: { ...ctx.actor, apiKeyId: run.apiKeyId } },
          {
            vectorStoreIds,
            query,
            maxNumResults: options?.maxNumResults ?? DEFAULT_MAX_RESULTS,
            rankingOptions,
          },
        );
  return {
    id: call.id,
    type: 'file_search',
    fileSearch: {
      rankingOptions,
      results: results.map((result) => ({
        fileId: result.fileId,
        fileName: result.filename,
        score: result.score,
        content: result.content.map((part) => ({ type: 'text', text: part.text })),
      })),
    },
    modelArguments: call.arguments,
  };
}
