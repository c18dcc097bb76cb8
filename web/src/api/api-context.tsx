import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { TypedDocumentString } from '../generated/graphql.js';
import { graphqlRequest } from './graphql-request.js';

const ApiKeyContext = createContext<string>('');

export const ApiKeyProvider = ApiKeyContext.Provider;

/** The signed-in key, for requests; never rendered. */
export function useApiKey(): string {
  return useContext(ApiKeyContext);
}

/** Runs one operation with the signed-in key. */
export function useRequest() {
  const apiKey = useApiKey();
  return useCallback(
    <R, V>(document: TypedDocumentString<R, V>, variables: V) =>
      graphqlRequest(apiKey, document, variables),
    [apiKey],
  );
}

export interface QueryState<R> {
  data: R | null;
  error: Error | null;
  reload(): Promise<void>;
}

/**
 * Runs a query when mounted and whenever `variables` change (compared as JSON); `reload` runs
 * it again. A late answer to an older request is dropped.
 */
export function useQuery<R, V>(document: TypedDocumentString<R, V>, variables: V): QueryState<R> {
  const request = useRequest();
  const [data, setData] = useState<R | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const key = JSON.stringify(variables);
  const latest = useRef(0);
  const run = useCallback(async () => {
    latest.current += 1;
    const mine = latest.current;
    try {
      const result = await request(document, JSON.parse(key) as V);
      if (mine === latest.current) {
        setData(result);
        setError(null);
      }
    } catch (caught) {
      if (mine === latest.current) {
        setError(caught instanceof Error ? caught : new Error(String(caught)));
      }
    }
  }, [request, document, key]);
  useEffect(() => {
    void run();
  }, [run]);
  return { data, error, reload: run };
}
