import type { TypedDocumentString } from '../generated/graphql.js';

export interface GraphQLErrorItem {
  message: string;
  extensions?: { code?: string };
}

/** A GraphQL response with errors, or a transport failure; `code` is the first error's. */
export class GraphQLRequestError extends Error {
  readonly code: string | undefined;

  constructor(
    readonly errors: GraphQLErrorItem[],
    readonly status: number,
  ) {
    super(errors.map((error) => error.message).join('; ') || `HTTP ${status}`);
    this.name = 'GraphQLRequestError';
    this.code = errors[0]?.extensions?.code;
  }

  get unauthenticated(): boolean {
    return this.status === 401 || this.code === 'UNAUTHENTICATED';
  }
}

interface GraphQLBody<R> {
  data?: R | null;
  errors?: GraphQLErrorItem[];
}

/** Reads a GraphQL response body: the data, or a GraphQLRequestError with its errors. */
export function resultOf<R>(body: GraphQLBody<R>, status: number): R {
  if (body.errors?.length || !body.data) {
    throw new GraphQLRequestError(body.errors ?? [], status);
  }
  return body.data;
}

/** One operation over HTTP POST /graphql with the key as a bearer token. */
export async function graphqlRequest<R, V>(
  apiKey: string,
  document: TypedDocumentString<R, V>,
  variables: V,
  signal?: AbortSignal,
): Promise<R> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      authorization: `Bearer ${apiKey}`,
    },
    body: JSON.stringify({ query: document.toString(), variables }),
    signal,
  });
  let body: GraphQLBody<R>;
  try {
    body = (await response.json()) as GraphQLBody<R>;
  } catch {
    throw new GraphQLRequestError([], response.status);
  }
  return resultOf(body, response.status);
}
