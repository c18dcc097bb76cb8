/**
 * Words that carry no search intent in a natural-language question. Dropped by `rewriteQuery`;
 * full-text search ignores them anyway ('english' stop words), embeddings do not.
 */
const FILLER = new Set(
  [
    'a an the and or but of to in on at by for with from into about as is are was were be been',
    'being do does did doing have has had i me my we our you your he she it its they them their',
    'this that these those what which who whom whose when where why how can could would should',
    'will shall may might must please tell explain show find give list describe there here any',
    'some all us know want need looking search information info',
  ]
    .join(' ')
    .split(' '),
);

/**
 * `rewrite_query`, done deterministically rather than by a model: lower-cased, punctuation
 * dropped (inside-word `-`, `_`, `.`, `/` kept: `LISTEN/NOTIFY`, `v1.2`), question and filler words
 * removed, whitespace collapsed. "What is the refund policy for EU orders?" becomes
 * "refund policy eu orders". A query of nothing but filler is kept as it was.
 */
export function rewriteQuery(query: string): string {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .map((word) => word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter((word) => word !== '' && !FILLER.has(word));
  return words.length > 0 ? words.join(' ') : query.trim();
}
