import type { ServiceContext } from '../../../context.js';
import { ModelError } from '../../../models/chat-model.js';
import { citationMarker } from '../../runs/engine/tools/model-output.js';
import { stringArgument } from '../../runs/engine/tools/partial-json.js';
import { searchVectorStores } from '../../vector-stores/search/vector-search.js';
import { touchVectorStores } from '../../vector-stores/vector-store-activity.js';
import { isExpired } from '../../vector-stores/vector-store-expiry.js';
import type { FileSearchTool, StoredItem } from '../response-input.js';

/** One result of a file_search_call, in OpenAI's shape. */
export interface FileSearchResult {
  file_id: string;
  filename: string;
  score: number;
  text: string;
  attributes: Record<string, string | number | boolean> | null;
}

/** The query the model asked for: its `query` argument, else its raw arguments. */
export function fileSearchQuery(modelArguments: string): string {
  return (stringArgument(modelArguments, 'query') ?? modelArguments).trim();
}

/**
 * Searches the tool's vector stores (of the response's project) for `query`, with the tool's
 * `max_num_results`, `ranking_options` and `filters`. Stores deleted since the response was
 * created are skipped; an expired one fails the response, as OpenAI documents for runs. The
 * search counts as use of the stores (their `last_active_at` expiry). `ctx` acts for the
 * response's key, so the query's embedding is metered as its usage.
 */
export async function searchForResponse(
  ctx: ServiceContext,
  tool: FileSearchTool,
  query: string,
): Promise<FileSearchResult[]> {
  const rows = await ctx.db.vectorStore.findMany({
    where: { id: { in: tool.vector_store_ids }, projectId: ctx.actor.projectId },
    select: { id: true, status: true, expiresAt: true },
  });
  const now = new Date();
  const expired = rows.find((row) => isExpired(row, now));
  if (expired) {
    throw new ModelError(
      'invalid_prompt',
      `Vector store ${expired.id} has expired. Create a new vector store with the same files and search it instead.`,
    );
  }
  const vectorStoreIds = rows.map((row) => row.id);
  await touchVectorStores(ctx, vectorStoreIds);
  if (vectorStoreIds.length === 0 || query === '') {
    return [];
  }
  const results = await searchVectorStores(ctx, {
    vectorStoreIds,
    query,
    maxNumResults: tool.max_num_results,
    rankingOptions: {
      ranker: tool.ranking_options.ranker,
      scoreThreshold: tool.ranking_options.score_threshold,
    },
    filters: tool.filters,
  });
  return results.map((result) => ({
    file_id: result.fileId,
    filename: result.filename,
    score: result.score,
    text: result.content.map((part) => part.text).join('\n'),
    attributes: result.attributes,
  }));
}

function resultsOf(item: StoredItem): FileSearchResult[] {
  return Array.isArray(item.results) ? (item.results as FileSearchResult[]) : [];
}

/**
 * The tool message the model gets for a file_search_call: each passage under the marker it
 * cites it by (`【ordinal:index†file】`, as in runs). Built from the stored item, so a later
 * turn replays exactly what the model saw.
 */
export function fileSearchOutputForModel(item: StoredItem, ordinal: number): string {
  const results = resultsOf(item);
  if (results.length === 0) {
    return 'No relevant passages were found in the files.';
  }
  return results
    .map((result, index) => `${citationMarker(ordinal, index, result.filename)}\n${result.text}`)
    .join('\n\n');
}

/** A citation target: the file a marker's passage came from. */
export interface CitedFile {
  fileId: string;
  filename: string;
}

/**
 * `ordinal:index` → file for every file_search_call among `items`, numbered in order as
 * `chatMessages` numbers them for the model.
 */
export function citationTargets(items: readonly StoredItem[]): Map<string, CitedFile> {
  const targets = new Map<string, CitedFile>();
  let ordinal = 0;
  for (const item of items) {
    if (item.type === 'file_search_call') {
      resultsOf(item).forEach((result, index) => {
        targets.set(`${ordinal}:${index}`, { fileId: result.file_id, filename: result.filename });
      });
      ordinal += 1;
    }
  }
  return targets;
}
