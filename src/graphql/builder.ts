import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import type { ServiceContext } from '../context.js';
import type { PrismaClient } from '../db/prisma.js';
import type PrismaTypes from '../generated/pothos-types.js';
import { getDatamodel } from '../generated/pothos-types.js';
import type { FileUpload } from './file-upload.js';

/** The one schema builder. Every type registers itself on it from `graphql/types/`. */
export const builder = new SchemaBuilder<{
  Context: ServiceContext;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    UnixTime: { Input: Date; Output: Date };
    Upload: { Input: FileUpload; Output: never };
  };
}>({
  plugins: [PrismaPlugin],
  defaultFieldNullability: false,
  prisma: {
    // Resolvers receive the request's root client; services open transactions themselves.
    client: (ctx) => ctx.db as PrismaClient,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    onUnusedQuery: null,
  },
});

builder.queryType({ description: 'Reads. Everything is scoped to the API key’s project.' });
builder.mutationType({ description: 'Writes. Everything is scoped to the API key’s project.' });

/** The builder's resolved type parameters, for helpers that take refs. */
export type BuilderTypes =
  typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
