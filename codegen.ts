// Types for compat's GraphQL operations, from schema.graphql and compat/operations/*.graphql:
// one typed document per operation (its fragments inlined) with its result and variable types.
// `npm run generate` writes compat/generated/operations.ts; it is not committed.
import type { CodegenConfig } from '@graphql-codegen/cli';

const HEADER =
  '// DO NOT EDIT: generated from schema.graphql and compat/operations/*.graphql by `npm run generate` (codegen.ts).\n\n';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: 'compat/operations/*.graphql',
  overwrite: true,
  generates: {
    'compat/generated/operations.ts': {
      // typescript-operations 6 writes the enum and input types the operations use itself; the
      // `typescript` plugin beside it would declare them a second time (the whole schema, too).
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: {
          // Whatever JSON the resolvers return (metadata maps, JSON Schemas, attributes).
          JSON: 'unknown',
          // Integer Unix seconds.
          UnixTime: 'number',
          // Multipart file parts: input only, handed over as the multipart reader made them.
          Upload: 'unknown',
        },
      },
    },
  },
  hooks: {
    beforeOneFileWrite: (_path: string, content: string) => HEADER + content,
  },
};

export default config;
