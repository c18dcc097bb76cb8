import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Errors carry the HTTP status of their kind (`NOT_FOUND` 404), which yoga answers with. When
 * the result still has data (a nullable lookup that found nothing, beside siblings that did),
 * the GraphQL-over-HTTP spec wants 2xx: the errors keep their codes, and lose their status.
 */
export function usePartialDataStatus(): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result || result.data == null || !result.errors?.length) {
            return;
          }
          setResult({
            ...result,
            errors: result.errors.map((error) => {
              const http = error.extensions.http as { status?: number } | undefined;
              if (http?.status === undefined) {
                return error;
              }
              const { status: _status, ...rest } = http;
              return new GraphQLError(error.message, {
                nodes: error.nodes,
                source: error.source,
                positions: error.positions,
                path: error.path,
                originalError: error.originalError,
                extensions: { ...error.extensions, http: rest },
              });
            }),
          });
        },
      };
    },
  };
}
