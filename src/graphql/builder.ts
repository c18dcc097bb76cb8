import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin, { resolveNodes } from '@pothos/plugin-relay';
import type { GraphQLResolveInfo } from 'graphql';
import type { ServiceContext } from '../context.js';
import type { PrismaClient } from '../db/prisma.js';
import type PrismaTypes from '../generated/pothos-types.js';
import { getDatamodel } from '../generated/pothos-types.js';
import type { FileUpload } from './file-upload.js';
import { nodeTypeOfId } from './node-ids.js';

/** The one schema builder. Every type registers itself on it from `graphql/types/`. */
export const builder = new SchemaBuilder<{
  Context: ServiceContext;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    UnixTime: { Input: Date; Output: Date };
    Upload: { Input: FileUpload; Output: never };
  };
}>({
  plugins: [RelayPlugin, PrismaPlugin],
  defaultFieldNullability: false,
  prisma: {
    // Resolvers receive the request's root client; services open transactions themselves.
    client: (ctx) => ctx.db as PrismaClient,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    nodesOnConnection: true,
    // OpenAI's prefixed ids are global already (`thread_…`, `msg_…`): they stay raw, no base64,
    // so an id from the REST API or a run event is a node id as it is.
    encodeGlobalID: (_typename, id) => String(id),
    decodeGlobalID: (globalID) => ({ typename: nodeTypeOfId(globalID) ?? '', id: globalID }),
    nodeTypeOptions: { description: 'An object with an OpenAI id, which is its global id.' },
    nodeQueryOptions: {
      description: 'The object with this id, or null when none is visible to the key.',
      nullable: true,
      resolve: (_root, { id }, _ctx, _info, resolveNode) =>
        id.typename === '' ? null : resolveNode(id),
    },
    nodesQueryOptions: {
      description: 'The objects with these ids, in order; null where none is visible.',
      nullable: { list: false, items: true },
      resolve: (_root, { ids }, ctx, info) => resolveKnownNodes(ids, ctx, info),
    },
    pageInfoTypeOptions: { description: 'Where a page sits in its list.' },
  },
});

/**
 * `nodes`, except that an id of no known prefix is null at once: the plugin's own resolver looks
 * every id up as given, and fails on the empty type name.
 */
function resolveKnownNodes(
  ids: { typename: string; id: string }[],
  ctx: ServiceContext,
  info: GraphQLResolveInfo,
): Promise<unknown[]> {
  return resolveNodes(
    builder,
    ctx,
    info,
    ids.map((id) => (id.typename === '' ? null : id)),
  );
}

builder.queryType({ description: 'Reads. Everything is scoped to the API key’s project.' });
builder.mutationType({ description: 'Writes. Everything is scoped to the API key’s project.' });

/** The builder's resolved type parameters, for helpers that take refs. */
export type BuilderTypes =
  typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
