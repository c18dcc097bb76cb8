/**
 * The `http_route` of a request path, as a template: `/v1/threads/thread_abc/runs` becomes
 * `/v1/threads/{thread_id}/runs`. Only the words of our own routes are kept; every other
 * segment becomes a parameter named after the collection before it, and unknown paths collapse
 * to `other`, so the label never carries an id or anything a client made up.
 */
const COLLECTIONS: Record<string, string> = {
  assistants: '{assistant_id}',
  threads: '{thread_id}',
  messages: '{message_id}',
  runs: '{run_id}',
  steps: '{step_id}',
  files: '{file_id}',
  vector_stores: '{vector_store_id}',
  file_batches: '{batch_id}',
  uploads: '{upload_id}',
};
const WORDS = new Set([
  ...Object.keys(COLLECTIONS),
  'content',
  'cancel',
  'submit_tool_outputs',
  'search',
  'parts',
  'complete',
]);
const TOP_LEVEL = new Set(['/graphql', '/healthz', '/readyz', '/metrics', '/']);
const MAX_SEGMENTS = 8;

export function routeTemplate(pathname: string): string {
  if (TOP_LEVEL.has(pathname)) {
    return pathname;
  }
  const segments = pathname.split('/').slice(1);
  if (segments[0] !== 'v1' || segments.length > MAX_SEGMENTS) {
    return 'other';
  }
  const templated = ['v1'];
  for (const segment of segments.slice(1)) {
    const previous = templated.at(-1) ?? '';
    if (WORDS.has(segment)) {
      templated.push(segment);
    } else if (COLLECTIONS[previous]) {
      templated.push(COLLECTIONS[previous]);
    } else {
      return 'other';
    }
  }
  return `/${templated.join('/')}`;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** `http_request_method`: the method, or `_OTHER` (OpenTelemetry's word) for anything else. */
export function methodLabel(method: string | undefined): string {
  return method && METHODS.has(method) ? method : '_OTHER';
}
