import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { ServiceContext } from '../context.js';
import type { Page } from '../services/common/pagination.js';

/**
 * Batching for the graph's relations. graphql-js resolves a field for every item of a list in
 * one tick, so a loader per relation turns N lookups into one batch read. Loaders live as long
 * as the operation's context. A query's loaders cache (a thread's messages and its runs' steps
 * name the same runs and assistants: each is read once); a mutation's or a subscription's do
 * not, since their reads must see the rows as they are now (after the mutation's writes; at each
 * event, as a run's status moves on).
 */
const loadersByContext = new WeakMap<ServiceContext, Map<string, DataLoader<string, unknown>>>();

function loader<V>(
  ctx: ServiceContext,
  info: GraphQLResolveInfo,
  key: string,
  batch: (keys: readonly string[]) => Promise<V[]>,
): DataLoader<string, V> {
  let loaders = loadersByContext.get(ctx);
  if (!loaders) {
    loaders = new Map();
    loadersByContext.set(ctx, loaders);
  }
  const cache = info.operation.operation === 'query';
  const cacheKey = `${cache ? 'cached' : 'fresh'}:${key}`;
  let found = loaders.get(cacheKey);
  if (!found) {
    found = new DataLoader<string, unknown>(batch, { cache });
    loaders.set(cacheKey, found);
  }
  // Each key is made by one call site with one batch function, hence one value type.
  return found as DataLoader<string, V>;
}

/** The object with this id (null when it is gone or there is no id), batched per `kind`. */
export function loadById<V>(
  ctx: ServiceContext,
  info: GraphQLResolveInfo,
  kind: string,
  read: (ctx: ServiceContext, ids: readonly string[]) => Promise<Map<string, V>>,
  id: string | null | undefined,
): Promise<V | null> {
  if (!id) {
    return Promise.resolve(null);
  }
  return loader<V | null>(ctx, info, `byId:${kind}`, async (ids) => {
    const found = await read(ctx, ids);
    return ids.map((each) => found.get(each) ?? null);
  }).load(id);
}

/** What a parent has under `relation` (its active run, say), batched per relation. */
export function loadByParent<V>(
  ctx: ServiceContext,
  info: GraphQLResolveInfo,
  relation: string,
  read: (ctx: ServiceContext, parents: readonly string[]) => Promise<Map<string, V>>,
  parent: string,
): Promise<V | null> {
  return loader<V | null>(ctx, info, `byParent:${relation}`, async (parents) => {
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
  info: GraphQLResolveInfo,
  relation: string,
  args: unknown,
  read: (parents: readonly string[]) => Promise<Page<V>[]>,
  parent: string,
): Promise<Page<V>> {
  return loader<Page<V>>(ctx, info, `page:${relation}:${JSON.stringify(args)}`, read).load(parent);
}
