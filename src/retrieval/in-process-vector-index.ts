import type { Db } from '../db/db.js';
import { base64ToVector, dot } from './float-vectors.js';
import { TopK } from './top-k.js';
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
  /** Base64 of the float32 bytes; null for rows without a vector of this model. */
  embedding: string | null;
}

/**
 * Vector similarity in process: a store's vectors are read once (filtered by store in SQL) into
 * one Float32Array and kept, least recently used first out beyond `maxCachedFloats`. Each search
 * checks the store's (chunk count, max chunk id): chunks are only ever inserted with growing ids
 * or deleted, so an unchanged pair means an unchanged store, a larger max with a matching count
 * means appended rows (read just those), anything else a full reload. Correct across processes
 * (the worker writes, the server searches) without any invalidation message.
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

  /**
   * Rows in (afterId, upToId], every row (so counts compare with the version), vectors only
   * for `model`. Bounded by the version just read, so rows inserted meanwhile are left for the
   * next check rather than counted twice. Base64, not bytea: Prisma took ~8 s to hand over
   * 10,000 bytea vectors of 1536 floats, ~0.4 s as base64 text.
   */
  async function readRows(db: Db, storeId: string, model: string, afterId: bigint, upToId: bigint) {
    return db.$queryRaw<ChunkVectorRow[]>`
      SELECT id, file_id,
        CASE WHEN embedding_model = ${model} THEN encode(embedding, 'base64') END AS embedding
      FROM vector_store_chunks
      WHERE vector_store_id = ${storeId} AND id > ${afterId} AND id <= ${upToId}
      ORDER BY id`;
  }

  function build(
    model: string,
    version: { count: number; maxId: bigint },
    base: StoreVectors | null,
    rows: ChunkVectorRow[],
  ): StoreVectors {
    const vectors = rows.flatMap((row) =>
      row.embedding === null
        ? []
        : [{ id: row.id, fileId: row.file_id, vector: base64ToVector(row.embedding) }],
    );
    const dimensions = base?.dimensions || (vectors[0]?.vector.length ?? 0);
    // Vectors of another length (the model's `dimensions` changed) cannot be compared: skipped.
    const usable = vectors.filter((row) => row.vector.length === dimensions);
    const baseRows = base?.ids.length ?? 0;
    const matrix = new Float32Array((baseRows + usable.length) * dimensions);
    if (base) {
      matrix.set(base.matrix);
    }
    for (const [index, row] of usable.entries()) {
      matrix.set(row.vector, (baseRows + index) * dimensions);
    }
    return {
      model,
      count: version.count,
      maxId: version.maxId,
      dimensions,
      ids: [...(base?.ids ?? []), ...usable.map((row) => row.id)],
      fileIds: [...(base?.fileIds ?? []), ...usable.map((row) => row.fileId)],
      matrix,
    };
  }

  async function load(db: Db, storeId: string, model: string): Promise<StoreVectors> {
    const [version] = await db.$queryRaw<{ count: number; max: bigint | null }[]>`
      SELECT count(*)::int AS count, max(id) AS max FROM vector_store_chunks
      WHERE vector_store_id = ${storeId}`;
    const current = { count: version?.count ?? 0, maxId: version?.max ?? 0n };
    const key = `${storeId}/${model}`;
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
      const top = new TopK<bigint>(query.limit);
      for (const storeId of query.vectorStoreIds) {
        const store = await load(db, storeId, query.model);
        const allowed = query.allowedFiles?.get(storeId) ?? null;
        if (store.dimensions !== query.vector.length || (query.allowedFiles && !allowed)) {
          continue;
        }
        for (const [row, id] of store.ids.entries()) {
          if (!allowed || allowed.has(store.fileIds[row] ?? '')) {
            top.add(id, dot(query.vector, store.matrix, row * store.dimensions));
          }
        }
      }
      return top
        .best()
        .map(({ item, score }): VectorMatch => ({ chunkId: item, similarity: score }));
    },
  };
}
