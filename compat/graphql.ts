import { readdirSync, readFileSync } from 'node:fs';
import {
  type DocumentNode,
  execute,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  parse,
  validate,
} from 'graphql';
import type { ServiceContext } from '../src/context.js';
import { fromGraphQLError } from './errors.js';

const OPERATIONS_DIR = new URL('./operations/', import.meta.url);

/** Every `.graphql` file in operations/, as one document: fragments are shared across files. */
function loadOperations(schema: GraphQLSchema): DocumentNode {
  const source = readdirSync(OPERATIONS_DIR)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => readFileSync(new URL(name, OPERATIONS_DIR), 'utf8'))
    .join('\n');
  const document = parse(source);
  const errors = validate(schema, document);
  if (errors.length > 0) {
    // A REST route whose operation no longer fits the schema must fail at start, not per request.
    throw new Error(`compat operations do not match the schema:\n${errors.join('\n')}`);
  }
  return document;
}

export type RunOperation = <T>(
  operationName: string,
  variables: Record<string, unknown>,
  context: ServiceContext,
) => Promise<T>;

/**
 * Executes the named operation in process against the same schema and context GraphQL clients
 * use; errors become `RestError`s carrying OpenAI's status and envelope.
 */
export function createOperationRunner(schema: GraphQLSchema): RunOperation {
  const document = loadOperations(schema);
  const names = new Set(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && definition.name
        ? [definition.name.value]
        : [],
    ),
  );
  return async <T>(
    operationName: string,
    variables: Record<string, unknown>,
    context: ServiceContext,
  ) => {
    if (!names.has(operationName)) {
      throw new Error(`Unknown compat operation ${operationName}`);
    }
    const result = await execute({
      schema,
      document,
      operationName,
      variableValues: variables,
      contextValue: context,
    });
    const [error] = result.errors ?? [];
    if (error) {
      const restError = fromGraphQLError(error);
      if (restError.status >= 500) {
        context.logger.error(
          { err: error.originalError ?? error, operationName },
          'operation failed',
        );
      }
      throw restError;
    }
    if (!result.data) {
      throw fromGraphQLError(new GraphQLError('Operation returned no data'));
    }
    return result.data as T;
  };
}
