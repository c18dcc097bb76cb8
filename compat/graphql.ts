import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { trace } from '@opentelemetry/api';
import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  isEnumType,
  Kind,
  subscribe,
  validate,
} from 'graphql';
import type { ServiceContext } from '../src/context.js';
import { type EnumValues, fromGraphQLError, type RestError } from './errors.js';
import * as generated from './generated/operations.js';

/**
 * An operation's variables as a route hands them over: each of the operation's variables by name
 * (the required ones required), values as they came in the request. GraphQL coerces and checks
 * them against the operation's variable types, and its errors are the 400s OpenAI's clients
 * expect, so they are not narrowed here first.
 */
export type RequestVariables<TVariables> = { [K in keyof TVariables]: unknown };

/**
 * An operation's result as a route sees it: every root field present. Lookups by id are
 * nullable in the schema (a missing one is null beside a NOT_FOUND error, its siblings kept),
 * but the shim throws on any error, so a root field it reads is never null.
 */
export type OperationData<TResult> = { [K in keyof TResult]: NonNullable<TResult[K]> };

export type RunOperation = <TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables: NoInfer<RequestVariables<TVariables>>,
  context: ServiceContext,
) => Promise<OperationData<TResult>>;

export type RunSubscription = <TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables: NoInfer<RequestVariables<TVariables>>,
  context: ServiceContext,
) => Promise<AsyncGenerator<TResult>>;

export interface OperationRunner {
  run: RunOperation;
  subscribe: RunSubscription;
}

/** The operation's name: each generated document holds one operation and its fragments. */
function operationName(document: DocumentNode): string | null {
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      return definition.name?.value ?? null;
    }
  }
  return null;
}

/**
 * The generated documents of compat/operations/*.graphql (fragment documents aside), each
 * validated against the schema: a REST route whose operation no longer fits the schema must
 * fail at start, not per request.
 */
function loadOperations(schema: GraphQLSchema): Map<DocumentNode, string> {
  const operations = new Map<DocumentNode, string>();
  const errors: string[] = [];
  for (const document of Object.values(generated)) {
    const name = operationName(document);
    if (name === null) {
      continue;
    }
    errors.push(...validate(schema, document).map((error) => `${name}: ${error.message}`));
    operations.set(document, name);
  }
  if (errors.length > 0) {
    throw new Error(`compat operations do not match the schema:\n${errors.join('\n')}`);
  }
  return operations;
}

function firstError(
  result: ExecutionResult,
  operationName: string,
  context: ServiceContext,
  enumValues: EnumValues,
): RestError | null {
  const [error] = result.errors ?? [];
  if (!error) {
    return null;
  }
  const restError = fromGraphQLError(error, enumValues);
  if (restError.status >= 500) {
    context.logger.error({ err: error.originalError ?? error, operationName }, 'operation failed');
  }
  return restError;
}

/**
 * The route's GraphQL operation on the request's own span (no-op unless tracing is on). A REST
 * route runs exactly one operation, so a child span of its own would add no structure, only
 * cost: polling (`GET …/runs/{run_id}` every few ms per client) made those the most numerous
 * spans. GraphQL clients' operations at /graphql keep their span (src/graphql/tracing-plugin.ts).
 */
async function traced(
  document: DocumentNode,
  operationName: string,
  work: () => ExecutionResult | Promise<ExecutionResult>,
): Promise<ExecutionResult> {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) {
    const type = getOperationAST(document, operationName)?.operation ?? 'query';
    span.setAttributes({ 'graphql.operation.type': type, 'graphql.operation.name': operationName });
  }
  return work();
}

/**
 * Executes an operation in process against the same schema and context GraphQL clients use;
 * errors become `RestError`s carrying OpenAI's status and envelope.
 */
export function createOperationRunner(schema: GraphQLSchema): OperationRunner {
  const operations = loadOperations(schema);
  const enumValues: EnumValues = (name) => {
    const type = schema.getType(name);
    return isEnumType(type) ? type.getValues().map((value) => value.name) : null;
  };
  const args = (
    document: DocumentNode,
    variables: Readonly<Record<string, unknown>>,
    context: ServiceContext,
  ) => {
    const operationName = operations.get(document);
    if (operationName === undefined) {
      throw new Error('Unknown compat operation: not one of compat/generated/operations.ts');
    }
    return {
      operationName,
      executionArgs: {
        schema,
        document,
        operationName,
        variableValues: variables,
        contextValue: context,
      },
    };
  };
  return {
    async run<TResult, TVariables>(
      document: TypedDocumentNode<TResult, TVariables>,
      variables: RequestVariables<TVariables>,
      context: ServiceContext,
    ) {
      const { operationName, executionArgs } = args(document, variables, context);
      const result = await traced(document, operationName, () => execute(executionArgs));
      const error = firstError(result, operationName, context, enumValues);
      if (error) {
        throw error;
      }
      if (!result.data) {
        throw fromGraphQLError(new GraphQLError('Operation returned no data'));
      }
      const missing = Object.keys(result.data).find((field) => result.data?.[field] == null);
      if (missing !== undefined) {
        // Only an error makes a root field null; one without is a resolver's bug, not a 404.
        context.logger.error({ operationName, field: missing }, 'root field null without error');
        throw fromGraphQLError(new GraphQLError(`Operation returned null for ${missing}`));
      }
      // The one place results take their type: data without errors is what the document,
      // validated against this schema at start, selects, every root field present.
      return result.data as OperationData<TResult>;
    },
    /** Starts a subscription; errors before the first event (not found…) are thrown. */
    async subscribe<TResult, TVariables>(
      document: TypedDocumentNode<TResult, TVariables>,
      variables: RequestVariables<TVariables>,
      context: ServiceContext,
    ) {
      const { operationName, executionArgs } = args(document, variables, context);
      const result = await subscribe(executionArgs);
      if (!(Symbol.asyncIterator in result)) {
        throw (
          firstError(result, operationName, context, enumValues) ??
          new Error('Subscription did not start')
        );
      }
      // Not an async generator: its `return()` would wait for the next event, while this one
      // reaches the source at once, so a client that goes away stops a quiet stream now.
      const events: AsyncGenerator<TResult> = {
        async next() {
          const item = await result.next();
          if (item.done) {
            return { done: true, value: undefined };
          }
          const error = firstError(item.value, operationName, context, enumValues);
          if (error) {
            await result.return(undefined);
            throw error;
          }
          // As in `run`: the event is what the validated document selects.
          return { done: false, value: item.value.data as TResult };
        },
        async return() {
          await result.return(undefined);
          return { done: true, value: undefined };
        },
        async throw(error: unknown) {
          await result.return(undefined);
          throw error;
        },
        [Symbol.asyncIterator]: () => events,
      };
      return events;
    },
  };
}
