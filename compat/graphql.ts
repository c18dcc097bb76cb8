import { readdirSync, readFileSync } from 'node:fs';
import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  parse,
  subscribe,
  validate,
} from 'graphql';
import type { ServiceContext } from '../src/context.js';
import { fromGraphQLError, type RestError } from './errors.js';

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

export type RunSubscription = <T>(
  operationName: string,
  variables: Record<string, unknown>,
  context: ServiceContext,
) => Promise<AsyncGenerator<T>>;

export interface OperationRunner {
  run: RunOperation;
  subscribe: RunSubscription;
}

function firstError(
  result: ExecutionResult,
  operationName: string,
  context: ServiceContext,
): RestError | null {
  const [error] = result.errors ?? [];
  if (!error) {
    return null;
  }
  const restError = fromGraphQLError(error);
  if (restError.status >= 500) {
    context.logger.error({ err: error.originalError ?? error, operationName }, 'operation failed');
  }
  return restError;
}

/**
 * Executes the named operation in process against the same schema and context GraphQL clients
 * use; errors become `RestError`s carrying OpenAI's status and envelope.
 */
export function createOperationRunner(schema: GraphQLSchema): OperationRunner {
  const document = loadOperations(schema);
  const names = new Set(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && definition.name
        ? [definition.name.value]
        : [],
    ),
  );
  const args = (
    operationName: string,
    variables: Record<string, unknown>,
    context: ServiceContext,
  ) => {
    if (!names.has(operationName)) {
      throw new Error(`Unknown compat operation ${operationName}`);
    }
    return { schema, document, operationName, variableValues: variables, contextValue: context };
  };
  return {
    async run<T>(
      operationName: string,
      variables: Record<string, unknown>,
      context: ServiceContext,
    ) {
      const result = await execute(args(operationName, variables, context));
      const error = firstError(result, operationName, context);
      if (error) {
        throw error;
      }
      if (!result.data) {
        throw fromGraphQLError(new GraphQLError('Operation returned no data'));
      }
      return result.data as T;
    },
    /** Starts a subscription; errors before the first event (not found…) are thrown. */
    async subscribe<T>(
      operationName: string,
      variables: Record<string, unknown>,
      context: ServiceContext,
    ) {
      const result = await subscribe(args(operationName, variables, context));
      if (!(Symbol.asyncIterator in result)) {
        throw firstError(result, operationName, context) ?? new Error('Subscription did not start');
      }
      return (async function* () {
        for await (const item of result) {
          const error = firstError(item, operationName, context);
          if (error) {
            throw error;
          }
          yield item.data as T;
        }
      })();
    },
  };
}
