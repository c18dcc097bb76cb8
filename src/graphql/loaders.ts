import DataLoader from 'dataloader';
import type { ServiceContext } from '../context.js';
import type { Page } from '../services/common/pagination.js';

/**
 * Batching for the graph's relations. graphql-js resolves a field for every item of a list in
 * one tick, so a loader per relation turns N lookups into one batch read. Loaders live as long
 * as the operation's context, and do not cache: a subscription's context lasts for many events,
 * and each event must read the relation as it is now (a run's status moves on).
 */
const loadersByContext = new WeakMap<ServiceContext, Map<string, DataLoader<string, unknown>>>();

function loader<V>(
  ctx: ServiceContext,
  key: string,
  batch: (keys: readonly string[]) => Promise<V[]>,
): DataLoader<string, V> {
  let loaders = loadersByContext.get(ctx);
  if (!loaders) {
    loaders = new Map();
    loadersByContext.set(ctx, loaders);
  }
  let found = loaders.get(key);
  if (!found) {
    found = new DataLoader<string, unknown>(batch, { cache: false });
    loaders.set(key, found);
  }
  // Each key is made by one call site with one batch function, hence one value type.
  return found as DataLoader<string, V>;
}

/** The object with this id (null when it is gone or there is no id), batched per `kind`. */
export function loadById<V>(
  ctx: ServiceContext,
  kind: string,
  read: (ctx: ServiceContext, ids: readonly string[]) => Promise<Map<string, V>>,
  id: string | null | undefined,
): Promise<V | null> {
  if (!id) {
    return Promise.resolve(null);
  }
  return loader<V | null>(ctx, `byId:${kind}`, async (ids) => {
    const found = await read(ctx, ids);
    return ids.map((each) => found.get(each) ?? null);
  }).load(id);
}

/** What a parent has under `relation` (its active run, say), batched per relation. */
export function loadByParent<V>(
  ctx: ServiceContext,
  relation: string,
  read: (ctx: ServiceContext, parents: readonly string[]) => Promise<Map<string, V>>,
  parent: string,
): Promise<V | null> {
  return loader<V | null>(ctx, `byParent:${relation}`, async (parents) => {
    const found = await read(ctx, parents);
    return parents.map((each) => found.get(each) ?? null);
  }).load(parent);
}

/**
 * A parent's page of a child list, batched with every parent that asks for the same page (same
 * relation, same arguments): one batch read for the level.
 */
export function loadPage<V>(
  ctx: ServiceContext,
  relation: string,
  args: unknown,
  read: (parents: readonly string[]) => Promise<Page<V>[]>,
  parent: string,
): Promise<Page<V>> {
  return loader<Page<V>>(ctx, `page:${relation}:${JSON.stringify(args)}`, read).load(parent);
}
