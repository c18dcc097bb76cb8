import type { Db } from '../context.js';
import { bytesToVector, dot } from './float-vectors.js';
import type { NearestQuery, VectorIndex, VectorMatch } from './vector-index.js';

/** One vector store's vectors of one model, as one flat matrix (row i = chunk ids[i]). */
interface StoreVectors {
  model: string;
  /** Rows in the table when loaded, and the highest id: the store's version. */
  count: number;
  maxId: bigint;
  dimensions: number;
  ids: bigint[];
  fileIds: string[];
  matrix: Float32Array;
}

interface ChunkVectorRow {
  id: bigint;
  file_id: string;
  embedding: Uint8Array;
}

/**
 * Vector similarity in process: a store's vectors are read once (bytea, filtered by store and
 * model in SQL) into one Float32Array and kept, least recently used first out beyond
 * `maxCachedFloats`. Each search checks the store's (count, max id): chunks are only ever inserted
 * with growing ids or deleted, so an unchanged pair means an unchanged store, a larger max with a
 * matching count means appended rows (read just those), anything else a full reload. Correct
 * across processes (the worker writes, the server searches) without any invalidation message.
 */
export function createInProcessVectorIndex(options: { maxCachedFloats: number }): VectorIndex {
  const cache = new Map<string, StoreVectors>();
  let cachedFloats = 0;

  function remember(key: string, entry: StoreVectors): void {
    const previous = cache.get(key);
    if (previous) {
      cachedFloats -= previous.matrix.length;
      cache.delete(key);
    }
    cache.set(key, entry);
    cachedFloats += entry.matrix.length;
    for (const [oldest, old] of cache) {
      if (cachedFloats <= options.maxCachedFloats || oldest === key) {
        break;
      }
      cache.delete(oldest);
      cachedFloats -= old.matrix.length;
    }
  }

  /** Rows in (afterId, upToId]: bounded by the version just read, so rows inserted meanwhile
   * are left for the next version check rather than counted twice. */
  async function readRows(db: Db, storeId: string, model: string, afterId: bigint, upToId: bigint) {
    return db.$queryRaw<ChunkVectorRow[]>`
      SELECT id, file_id, embedding FROM vector_store_chunks
      WHERE vector_store_id = ${storeId} AND embedding_model = ${model}
        AND embedding IS NOT NULL AND id > ${afterId} AND id <= ${upToId}
      ORDER BY id`;
  }

  function build(
    model: string,
    version: { count: number; maxId: bigint },
    base: StoreVectors | null,
    rows: ChunkVectorRow[],
  ): StoreVectors {
    const dimensions = base?.dimensions ?? (rows[0] ? rows[0].embedding.length / 4 : 0);
    // Rows of another length (the model's `dimensions` changed) cannot be compared: skipped.
    const usable = rows.filter((row) => row.embedding.length === dimensions * 4);
    const matrix = new Float32Array(
      (base?.ids.length ?? 0) * dimensions + usable.length * dimensions,
    );
    if (base) {
      matrix.set(base.matrix);
    }
    let offset = (base?.ids.length ?? 0) * dimensions;
    for (const row of usable) {
      matrix.set(bytesToVector(row.embedding), offset);
      offset += dimensions;
    }
    return {
      model,
      count: version.count,
      maxId: version.maxId,
      dimensions,
      ids: [...(base?.ids ?? []), ...usable.map((row) => row.id)],
      fileIds: [...(base?.fileIds ?? []), ...usable.map((row) => row.file_id)],
      matrix,
    };
  }

  async function load(db: Db, storeId: string, model: string): Promise<StoreVectors> {
    const [version] = await db.$queryRaw<{ count: number; max: bigint | null }[]>`
      SELECT count(*)::int AS count, max(id) AS max FROM vector_store_chunks
      WHERE vector_store_id = ${storeId} AND embedding_model = ${model}
        AND embedding IS NOT NULL`;
    const current = { count: version?.count ?? 0, maxId: version?.max ?? 0n };
    const key = `${storeId}\u0000${model}`;
    const cached = cache.get(key);
    if (cached && cached.count === current.count && cached.maxId === current.maxId) {
      remember(key, cached);
      return cached;
    }
    if (cached && current.maxId > cached.maxId) {
      const appended = await readRows(db, storeId, model, cached.maxId, current.maxId);
      if (cached.count + appended.length === current.count) {
        const entry = build(model, current, cached, appended);
        remember(key, entry);
        return entry;
      }
    }
    const entry = build(
      model,
      current,
      null,
      await readRows(db, storeId, model, 0n, current.maxId),
    );
    remember(key, entry);
    return entry;
  }

  return {
    kind: 'in-process',
    async write() {
      // The bytea column is the in-process index's source; nothing else to write.
    },
    async nearest(db, query: NearestQuery) {
      const matches: VectorMatch[] = [];
      for (const storeId of query.vectorStoreIds) {
        const store = await load(db, storeId, query.model);
        if (store.dimensions !== query.vector.length) {
          continue;
        }
        const allowed = query.allowedFiles?.get(storeId) ?? null;
        if (query.allowedFiles && !allowed) {
          continue;
        }
        for (let row = 0; row < store.ids.length; row += 1) {
          if (allowed && !allowed.has(store.fileIds[row] ?? '')) {
            continue;
          }
          const id = store.ids[row];
          if (id !== undefined) {
            const similarity = dot(query.vector, store.matrix, row * store.dimensions);
            matches.push({ chunkId: id, similarity });
          }
        }
      }
      matches.sort((a, b) => b.similarity - a.similarity);
      return matches.slice(0, query.limit);
    },
  };
}
