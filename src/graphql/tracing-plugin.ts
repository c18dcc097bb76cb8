import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { withSpan } from '../observability/tracing.js';

/**
 * A span per executed GraphQL operation (`query listRuns`), child of the HTTP request's span,
 * so the services' spans and the jobs they enqueue hang under the operation that caused them.
 */
export function tracingPlugin(): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName);
      const type = operation?.operation ?? 'query';
      const name = operation?.name?.value;
      setExecuteFn((executionArgs) =>
        withSpan(
          name ? `${type} ${name}` : type,
          {
            attributes: {
              'graphql.operation.type': type,
              ...(name ? { 'graphql.operation.name': name } : {}),
            },
          },
          async () => executeFn(executionArgs),
        ),
      );
    },
  };
}
