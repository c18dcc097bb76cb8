import { GraphQLError, type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import { isDatabaseBusy, isDatabaseUnavailable } from '../db/database-unavailable.js';
import { AppError, ServiceUnavailableError } from '../errors.js';
import { assertStorableArgs } from './storable-args.js';

/**
 * An `AppError` as a GraphQL error: `extensions.code` is the stable code, `http.status` the
 * status yoga answers with, and `type`/`param`/`openaiCode` carry what the REST shim needs to
 * build OpenAI's error envelope.
 */
export function toGraphQLError(error: AppError): GraphQLError {
  // No `originalError`: yoga masks errors that wrap a non-GraphQL error, and these are expected.
  return new GraphQLError(error.message, {
    extensions: {
      code: error.code,
      http: { status: error.status },
      type: error.type,
      param: error.param,
      openaiCode: error.openaiCode,
    },
  });
}

/**
 * A database that cannot be reached is the service's state, not a bug: callers get a clear,
 * retryable SERVICE_UNAVAILABLE (503) instead of a masked internal error.
 */
export function databaseUnavailableError(cause: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError(
    isDatabaseBusy(cause)
      ? 'The service is temporarily overloaded: no database connection became free in time. Please retry your request.'
      : 'The service is temporarily unavailable: its database cannot be reached. Please retry your request.',
    { cause },
  );
}

/** A service error or an unreachable database as a GraphQL error; anything else as it is. */
export function mapAppError(error: unknown): unknown {
  if (error instanceof AppError) {
    return toGraphQLError(error);
  }
  return isDatabaseUnavailable(error) ? toGraphQLError(databaseUnavailableError(error)) : error;
}

function wrap<TSource, TContext, TArgs>(
  resolve: GraphQLFieldResolver<TSource, TContext, TArgs>,
): GraphQLFieldResolver<TSource, TContext, TArgs> {
  return async (source, args, context, info) => {
    try {
      assertStorableArgs(args);
      return await resolve(source, args, context, info);
    } catch (error) {
      throw mapAppError(error);
    }
  };
}

/**
 * Services throw `AppError`s; this turns them into GraphQL errors with codes in every resolver,
 * once, so resolvers stay free of try/catch and yoga's masking hides only the unexpected. It also
 * refuses arguments PostgreSQL cannot store, before any resolver runs.
 */
export function mapServiceErrors(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) {
      continue;
    }
    for (const field of Object.values(type.getFields())) {
      if (field.resolve) {
        field.resolve = wrap(field.resolve);
      }
      if (field.subscribe) {
        field.subscribe = wrap(field.subscribe);
      }
    }
  }
  return schema;
}
