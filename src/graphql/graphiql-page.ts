import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL's page with its CSS, scripts and editor workers inlined (from
 * `@graphql-yoga/render-graphiql`), instead of yoga's default page that loads them from a CDN:
 * an air-gapped install works, and no third-party script runs where people paste their key.
 * The page is about 9 MB, so it is built once per set of options, not per request.
 */
export function createGraphiQLRenderer(): (options?: GraphiQLOptions) => string {
  let cached: { key: string; html: string } | undefined;
  return (options) => {
    const key = JSON.stringify(options ?? {});
    if (cached?.key !== key) {
      cached = { key, html: renderGraphiQL(options) };
    }
    return cached.html;
  };
}
