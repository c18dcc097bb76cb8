// Types for the GraphQL operations of compat (the REST shim) and web (the console), from
// schema.graphql and their *.graphql files: one typed document per operation with its result and
// variable types. `npm run generate` writes compat/generated/ and web/src/generated/; neither is
// committed.
import type { CodegenConfig } from '@graphql-codegen/cli';

const HEADER =
  '// DO NOT EDIT: generated from schema.graphql and *.graphql operations by `npm run generate` (codegen.ts).\n\n';

const scalars = {
  // Whatever JSON the resolvers return (metadata maps, JSON Schemas, attributes).
  JSON: 'unknown',
  // Integer Unix seconds.
  UnixTime: 'number',
  // Multipart file parts: input only, handed over as the multipart reader made them.
  Upload: 'unknown',
};

const config: CodegenConfig = {
  schema: 'schema.graphql',
  overwrite: true,
  generates: {
    'compat/generated/operations.ts': {
      documents: 'compat/operations/*.graphql',
      // typescript-operations 6 writes the enum and input types the operations use itself; the
      // `typescript` plugin beside it would declare them a second time (the whole schema, too).
      plugins: ['typescript-operations', 'typed-document-node'],
      config: { useTypeImports: true, enumsAsTypes: true, scalars },
    },
    'web/src/generated/': {
      documents: 'web/src/operations/*.graphql',
      preset: 'client',
      // Documents as strings: the console sends them as they are and needs no GraphQL parser.
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, documentMode: 'string', scalars },
    },
  },
  hooks: {
    beforeOneFileWrite: (_path: string, content: string) => HEADER + content,
  },
};

export default config;
