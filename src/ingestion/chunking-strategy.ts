/** OpenAI's `auto` chunking: static windows of 800 tokens overlapping by 400. */
export const AUTO_CHUNKING: StaticChunking = { maxChunkSizeTokens: 800, chunkOverlapTokens: 400 };

/** Window size and overlap in tokens, as `chunking_strategy.static` gives them. */
export interface StaticChunking {
  maxChunkSizeTokens: number;
  chunkOverlapTokens: number;
}

function isCount(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/**
 * The chunking of a vector-store file from its stored `chunking_strategy`
 * (`{ type: 'static', static: { maxChunkSizeTokens, chunkOverlapTokens } }`, validated by the
 * vector-store services on the way in). Absent or unreadable (rows from before strategies were
 * stored) means `auto`. OpenAI's bounds are re-checked, since a bad window would loop or explode.
 */
export function effectiveChunking(stored: unknown): StaticChunking {
  if (typeof stored !== 'object' || stored === null || !('static' in stored)) {
    return { ...AUTO_CHUNKING };
  }
  const value: unknown = stored.static;
  if (typeof value !== 'object' || value === null) {
    return { ...AUTO_CHUNKING };
  }
  const max = 'maxChunkSizeTokens' in value ? value.maxChunkSizeTokens : undefined;
  const overlap = 'chunkOverlapTokens' in value ? value.chunkOverlapTokens : undefined;
  if (!isCount(max, 100, 4096) || !isCount(overlap, 0, Math.floor(max / 2))) {
    return { ...AUTO_CHUNKING };
  }
  return { maxChunkSizeTokens: max, chunkOverlapTokens: overlap };
}
