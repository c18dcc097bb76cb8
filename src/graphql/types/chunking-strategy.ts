import type { ChunkingStrategy } from '../../services/vector-stores/vector-store-inputs.js';
import { builder } from '../builder.js';

export const ChunkingStrategyInputType = builder.enumType('ChunkingStrategyInputType', {
  values: {
    auto: { description: 'Static chunks of 800 tokens overlapping by 400.' },
    static: { description: 'Chunk size and overlap as given in `static`.' },
  } as const,
});

const StaticChunkingInput = builder.inputType('StaticChunkingInput', {
  fields: (t) => ({
    maxChunkSizeTokens: t.int({ required: true, description: '100–4096.' }),
    chunkOverlapTokens: t.int({
      required: true,
      description: 'At least 0 and at most half of maxChunkSizeTokens.',
    }),
  }),
});

export const ChunkingStrategyInput = builder.inputType('ChunkingStrategyInput', {
  description: 'How files are split into chunks for search (Default: auto).',
  fields: (t) => ({
    type: t.field({ type: ChunkingStrategyInputType, required: true }),
    static: t.field({ type: StaticChunkingInput, description: 'Required when type is static.' }),
  }),
});

export const ChunkingStrategyType = builder.enumType('ChunkingStrategyType', {
  values: {
    static: { description: 'Fixed-size chunks (what `auto` resolves to).' },
    other: { description: 'Unknown: the file was indexed without a recorded strategy.' },
  } as const,
});

type ReportedStrategy = ChunkingStrategy | { type: 'other' };

const StaticChunkingRef = builder
  .objectRef<ChunkingStrategy['static']>('StaticChunking')
  .implement({
    fields: (t) => ({
      maxChunkSizeTokens: t.exposeInt('maxChunkSizeTokens'),
      chunkOverlapTokens: t.exposeInt('chunkOverlapTokens'),
    }),
  });

export const ChunkingStrategyRef = builder
  .objectRef<ReportedStrategy>('ChunkingStrategy')
  .implement({
    description: 'How the file was split into chunks.',
    fields: (t) => ({
      type: t.field({ type: ChunkingStrategyType, resolve: (strategy) => strategy.type }),
      static: t.field({
        type: StaticChunkingRef,
        nullable: true,
        resolve: (strategy) => (strategy.type === 'static' ? strategy.static : null),
      }),
    }),
  });
