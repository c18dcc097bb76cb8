import type { Db } from '../../db/db.js';

/** How many of a store's (or a batch's) files are in each status. */
export interface FileCounts {
  inProgress: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}

export interface FileTotals {
  fileCounts: FileCounts;
  /** Sum of the files' `usage_bytes`. */
  usageBytes: number;
}

function emptyTotals(): FileTotals {
  return {
    fileCounts: { inProgress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 },
    usageBytes: 0,
  };
}

const COUNT_KEYS = {
  in_progress: 'inProgress',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
} as const;

interface Group {
  status: string;
  _count: { _all: number };
  _sum: { usageBytes: bigint | null };
}

function add(totals: FileTotals, group: Group): void {
  const key = COUNT_KEYS[group.status as keyof typeof COUNT_KEYS];
  if (key) {
    totals.fileCounts[key] += group._count._all;
  }
  totals.fileCounts.total += group._count._all;
  totals.usageBytes += Number(group._sum.usageBytes ?? 0n);
}

/**
 * File counts and usage of each store, derived from its files in one grouped query, so they can
 * never drift from the rows they describe.
 */
export async function vectorStoreTotals(
  db: Db,
  vectorStoreIds: string[],
): Promise<Map<string, FileTotals>> {
  const result = new Map(vectorStoreIds.map((id) => [id, emptyTotals()]));
  if (vectorStoreIds.length === 0) {
    return result;
  }
  const groups = await db.vectorStoreFile.groupBy({
    by: ['vectorStoreId', 'status'],
    where: { vectorStoreId: { in: vectorStoreIds } },
    _count: { _all: true },
    _sum: { usageBytes: true },
  });
  for (const group of groups) {
    const totals = result.get(group.vectorStoreId);
    if (totals) {
      add(totals, group);
    }
  }
  return result;
}

/** The same for file batches: the files each batch brought. */
export async function batchTotals(db: Db, batchIds: string[]): Promise<Map<string, FileTotals>> {
  const result = new Map(batchIds.map((id) => [id, emptyTotals()]));
  if (batchIds.length === 0) {
    return result;
  }
  const groups = await db.vectorStoreFile.groupBy({
    by: ['batchId', 'status'],
    where: { batchId: { in: batchIds } },
    _count: { _all: true },
    _sum: { usageBytes: true },
  });
  for (const group of groups) {
    const totals = group.batchId === null ? undefined : result.get(group.batchId);
    if (totals) {
      add(totals, group);
    }
  }
  return result;
}
