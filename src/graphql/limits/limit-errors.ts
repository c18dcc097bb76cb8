import { type ASTNode, GraphQLError } from 'graphql';

/** `extensions.code` of each refusal; stable, documented in the readme. */
export const LimitCode = {
  depth: 'DEPTH_LIMIT_EXCEEDED',
  aliases: 'ALIAS_LIMIT_EXCEEDED',
  directives: 'DIRECTIVE_LIMIT_EXCEEDED',
  tokens: 'TOKEN_LIMIT_EXCEEDED',
  cost: 'COST_LIMIT_EXCEEDED',
  batch: 'BATCH_LIMIT_EXCEEDED',
} as const;

export type LimitCode = (typeof LimitCode)[keyof typeof LimitCode];

/**
 * A document refused by a limit, before anything executes. `limit` is the configured bound, for
 * clients that adapt. Without `status`, yoga answers as the GraphQL-over-HTTP spec asks for
 * validation errors (`spec: true`): 400 for `application/graphql-response+json`, 200 for
 * `application/json`.
 */
export function limitError(
  code: LimitCode,
  message: string,
  limit: number,
  options: { node?: ASTNode; status?: number } = {},
): GraphQLError {
  const http =
    options.status === undefined ? { status: 400, spec: true } : { status: options.status };
  return new GraphQLError(message, { nodes: options.node, extensions: { code, limit, http } });
}
